"""Fixtures of the server's integration tests that more than one folder uses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.integration.test_server.browser import chromium


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, launched for one test (see browser.py)."""
    async with chromium() as running:
        yield running
