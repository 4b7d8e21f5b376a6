"""Fixtures of the sync integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.live import Live
from tests.integration.test_sync.support import Tablets


@pytest.fixture
async def tablets(live: Live, tmp_path: Path) -> AsyncIterator[Tablets]:
    opened = Tablets(live, tmp_path)
    yield opened
    await opened.close()
