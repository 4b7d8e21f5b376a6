"""Pull workers with a fake capture (no video, no threads) and the per-camera figures."""

from typing import Any

import cv2
import numpy as np
import pytest

from recognition.cameras import CameraState, CameraStats, PullWorker, RateMeter


class FakeCapture:
    def __init__(self, frames: int, opened: bool = True, fps: float = 25.0) -> None:
        self.left, self.opened, self.fps = frames, opened, fps
        self.retrieved = 0
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def grab(self) -> bool:
        self.left -= 1
        return self.left >= 0

    def retrieve(self) -> tuple[bool, Any]:
        self.retrieved += 1
        return True, np.zeros((4, 4, 3), np.uint8)

    def get(self, prop: int) -> float:
        return self.fps if prop == cv2.CAP_PROP_FPS else 0.0

    def set(self, prop: int, value: float) -> bool:
        self.left = 2
        return True

    def release(self) -> None:
        self.released = True


def _worker(capture: FakeCapture, wanted: list[bool], url: str = "rtsp://cam/1") -> PullWorker:
    submitted: list[float] = []
    worker = PullWorker(
        "gate",
        url,
        wants=lambda: wanted.pop(0) if wanted else True,
        submit=lambda frame, at: submitted.append(at),
        stats=CameraStats(CameraState.CONNECTING),
        opener=lambda url: capture,
        clock=iter(float(n) for n in range(1000)).__next__,
    )
    worker.submitted = submitted  # type: ignore[attr-defined]
    return worker


def test_frames_are_decoded_only_when_the_camera_has_none_waiting() -> None:
    capture = FakeCapture(frames=4)
    worker = _worker(capture, wanted=[True, False, False, True])
    connected = worker.connect()
    assert connected is capture
    while worker.step(capture):
        pass
    status = worker.stats.snapshot(4.0)
    assert capture.retrieved == 2
    assert (status.frames_received, status.frames_skipped) == (4, 2)
    assert status.state is CameraState.LIVE


def test_a_stream_that_cannot_be_opened_is_offline_and_released() -> None:
    capture = FakeCapture(frames=0, opened=False)
    worker = _worker(capture, wanted=[])
    assert worker.connect() is None
    assert capture.released
    status = worker.stats.snapshot(0.0)
    assert status.state is CameraState.OFFLINE
    assert "cannot open" in status.error


def test_a_video_file_is_looped_like_an_endless_camera(tmp_path: Any) -> None:
    video = tmp_path / "clip.avi"
    video.write_bytes(b"not really a video; the fake capture reads it")
    capture = FakeCapture(frames=1)
    worker = _worker(capture, wanted=[], url=str(video))
    worker.connect()
    assert [worker.step(capture) for _ in range(3)] == [True, True, True]  # rewound once


def test_a_live_stream_that_stops_answering_ends_the_session() -> None:
    capture = FakeCapture(frames=1)
    worker = _worker(capture, wanted=[])
    worker.connect()
    assert worker.step(capture)
    assert not worker.step(capture)


def test_state_changes_are_reported_once() -> None:
    stats = CameraStats(CameraState.CONNECTING)
    assert stats.set_state(CameraState.OFFLINE, "gone")
    assert not stats.set_state(CameraState.OFFLINE, "still gone")
    assert stats.set_state(CameraState.LIVE)


def test_lag_is_from_capture_to_the_end_of_analysis() -> None:
    stats = CameraStats(CameraState.PUSH)
    stats.received(10.0)
    stats.analysed(captured_s=10.0, now_s=10.25)
    status = stats.snapshot(10.25)
    assert status.lag_ms == pytest.approx(250.0)
    assert status.frames_analysed == 1


def test_the_rate_counts_events_inside_the_window_only() -> None:
    meter = RateMeter(window_s=5.0)
    for n in range(50):
        meter.add(n * 0.1)  # 10 per second for 5 s
    assert meter.rate(4.9) == pytest.approx(10.0)
    assert meter.rate(100.0) == 0.0
