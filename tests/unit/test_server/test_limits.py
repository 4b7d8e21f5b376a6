"""The open-files limit is raised to the hard limit at start-up, said once, and a hard limit too
low to matter is warned about with the way to raise it; the device ports' limits come from the
settings."""

from __future__ import annotations

import logging
import resource

import pytest

from server import limits
from server.limits import LOW_OPEN_FILES, device_stream_limits, raise_open_files_limit
from server.settings import Settings

INFINITY = resource.RLIM_INFINITY


class FakeLimits:
    """Stands in for the process's RLIMIT_NOFILE."""

    def __init__(self, soft: int, hard: int, *, refuse: bool = False) -> None:
        self.soft, self.hard, self.refuse = soft, hard, refuse

    def getrlimit(self, which: int) -> tuple[int, int]:
        assert which == resource.RLIMIT_NOFILE
        return self.soft, self.hard

    def setrlimit(self, which: int, values: tuple[int, int]) -> None:
        assert which == resource.RLIMIT_NOFILE
        if self.refuse:
            raise ValueError("not allowed")
        self.soft, self.hard = values


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLimits:
    fake = FakeLimits(1024, 524_288)
    monkeypatch.setattr(resource, "getrlimit", fake.getrlimit)
    monkeypatch.setattr(resource, "setrlimit", fake.setrlimit)
    return fake


def test_the_soft_limit_is_raised_to_the_hard_one_and_said_once(
    fake: FakeLimits, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="server.limits"):
        assert raise_open_files_limit() == 524_288
    assert (fake.soft, fake.hard) == (524_288, 524_288)
    assert [record.getMessage() for record in caplog.records] == ["open-files limit: 524288"]


def test_a_low_hard_limit_is_warned_about_with_the_way_to_raise_it(
    fake: FakeLimits, caplog: pytest.LogCaptureFixture
) -> None:
    fake.hard = LOW_OPEN_FILES - 1
    with caplog.at_level(logging.INFO, logger="server.limits"):
        raise_open_files_limit()
    (warning,) = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert "LimitNOFILE=" in warning.getMessage()
    assert fake.soft == LOW_OPEN_FILES - 1


def test_an_unlimited_hard_limit_asks_for_what_linux_allows(fake: FakeLimits) -> None:
    fake.hard = INFINITY
    assert raise_open_files_limit() == limits.UNLIMITED_OPEN_FILES


def test_a_refused_raise_keeps_the_soft_limit_and_says_why(
    fake: FakeLimits, caplog: pytest.LogCaptureFixture
) -> None:
    fake.refuse = True
    with caplog.at_level(logging.INFO, logger="server.limits"):
        assert raise_open_files_limit() == 1024
    assert any("could not raise" in record.getMessage() for record in caplog.records)


def test_a_soft_limit_already_at_the_hard_one_is_left_alone(fake: FakeLimits) -> None:
    fake.soft = fake.hard
    fake.refuse = True  # never asked
    assert raise_open_files_limit() == fake.hard


def test_device_ports_take_their_limits_from_the_settings() -> None:
    settings = Settings(
        device_connections_per_ip=3, device_first_byte_timeout_s=1.5, device_idle_timeout_s=9.0
    )
    stream = device_stream_limits(settings)
    assert (stream.connections_per_ip, stream.first_byte_timeout_s, stream.idle_timeout_s) == (
        3,
        1.5,
        9.0,
    )
