"""Fixtures for the integration tests that need more than the shared ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.test_evidence.s3_server import ACCESS_KEY, SECRET_KEY, running_s3_server


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty S3-compatible server; the AWS_* variables hold its keys."""
    with running_s3_server() as endpoint:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        yield endpoint
