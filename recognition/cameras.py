"""Cameras: pull workers that read RTSP/MJPEG streams or video files, and per-camera figures.

Theory of operation. A ``PullWorker`` is one thread per pulled camera (OpenCV's reads block). It
grabs every frame the stream delivers, so the stream never backs up and the newest frame is always
the one at hand, but it decodes and hands over a frame only when the camera has none waiting for
recognition (``wants()``): frames are skipped at the source, before they cost anything. A video
file is read at its own frame rate and looped, as if it were a live camera. A lost stream is
reopened every ``retry_s``; the state change is logged once each way. Push cameras (frames POSTed
to the server) share the same ``CameraStats``, so both kinds report fps and lag alike.
"""

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Protocol

import cv2
import msgspec
import numpy as np

from recognition.faces import ImageArray

logger = logging.getLogger(__name__)

RATE_WINDOW_S: Final = 5.0
_RATE_MAX_EVENTS: Final = 2048
DEFAULT_RETRY_S: Final = 5.0
OPEN_TIMEOUT_MS: Final = 5000
READ_TIMEOUT_MS: Final = 5000
DEFAULT_FILE_FPS: Final = 10.0
"""Pace for a video file that does not say its frame rate."""


class RateMeter:
    """Events per second over the last ``window_s``; memory bounded by ``max_events``."""

    def __init__(self, window_s: float = RATE_WINDOW_S, max_events: int = _RATE_MAX_EVENTS) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque(maxlen=max_events)

    def add(self, now_s: float) -> None:
        self._times.append(now_s)

    def rate(self, now_s: float) -> float:
        while self._times and now_s - self._times[0] > self.window_s:
            self._times.popleft()
        return len(self._times) / self.window_s


class CameraState(enum.StrEnum):
    PUSH = "push"  # frames arrive over HTTP
    CONNECTING = "connecting"
    LIVE = "live"
    OFFLINE = "offline"


class CameraStatus(msgspec.Struct, frozen=True, kw_only=True):
    state: CameraState
    frames_received: int
    frames_analysed: int
    frames_skipped: int  # not decoded: the previous frame was still waiting
    frames_dropped: int  # queued, then replaced by a newer frame or refused
    fps_received: float
    fps_analysed: float
    lag_ms: float | None  # capture to end of analysis, last frame
    error: str = ""


class CameraStats:
    """Counters shared by a camera's reader thread and the event loop (hence the lock)."""

    def __init__(self, state: CameraState) -> None:
        self._lock = threading.Lock()
        self._state, self._error = state, ""
        self._received = self._analysed = self._skipped = self._dropped = 0
        self._received_rate, self._analysed_rate = RateMeter(), RateMeter()
        self._lag_s: float | None = None

    def set_state(self, state: CameraState, error: str = "") -> bool:
        """Returns whether the state changed (so the caller logs only changes)."""
        with self._lock:
            changed = state is not self._state
            self._state, self._error = state, error
            return changed

    def received(self, now_s: float) -> None:
        with self._lock:
            self._received += 1
            self._received_rate.add(now_s)

    def skipped(self) -> None:
        with self._lock:
            self._skipped += 1

    def dropped(self) -> None:
        with self._lock:
            self._dropped += 1

    def analysed(self, captured_s: float, now_s: float) -> None:
        with self._lock:
            self._analysed += 1
            self._analysed_rate.add(now_s)
            self._lag_s = now_s - captured_s

    def snapshot(self, now_s: float) -> CameraStatus:
        with self._lock:
            return CameraStatus(
                state=self._state,
                frames_received=self._received,
                frames_analysed=self._analysed,
                frames_skipped=self._skipped,
                frames_dropped=self._dropped,
                fps_received=round(self._received_rate.rate(now_s), 2),
                fps_analysed=round(self._analysed_rate.rate(now_s), 2),
                lag_ms=None if self._lag_s is None else round(self._lag_s * 1000, 1),
                error=self._error,
            )


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` a worker uses (tests pass a fake)."""

    def isOpened(self) -> bool: ...  # noqa: N802  (OpenCV's names)
    def grab(self) -> bool: ...
    def retrieve(self) -> tuple[bool, Any]: ...
    def get(self, prop: int) -> float: ...
    def set(self, prop: int, value: float) -> bool: ...
    def release(self) -> None: ...


def open_capture(url: str) -> Capture:
    timeouts = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS]
    timeouts += [cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS]
    capture: Capture = cv2.VideoCapture(url, cv2.CAP_FFMPEG, timeouts)
    return capture


def is_file_source(url: str) -> bool:
    return url.startswith("file:") or Path(url).is_file()


class PullWorker:
    """Reads one camera in its own thread; ``submit(frame, captured_s)`` hands frames over."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        wants: Callable[[], bool],
        submit: Callable[[ImageArray, float], None],
        stats: CameraStats,
        opener: Callable[[str], Capture] = open_capture,
        clock: Callable[[], float] = time.monotonic,
        retry_s: float = DEFAULT_RETRY_S,
    ) -> None:
        self.name, self.url = name, url
        self._wants, self._submit, self.stats = wants, submit, stats
        self._opener, self._clock, self.retry_s = opener, clock, retry_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"camera-{name}", daemon=True)
        self._is_file = is_file_source(url)
        self._frame_interval_s = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = READ_TIMEOUT_MS / 1000) -> None:
        """Ask the thread to end and wait for it (a read can block up to its timeout)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            capture = self.connect()
            if capture is not None:
                try:
                    while not self._stop.is_set() and self.step(capture):
                        self._pace()
                finally:
                    capture.release()
                self._set(CameraState.OFFLINE, "the stream ended or stopped answering")
            self._stop.wait(self.retry_s)

    def connect(self) -> Capture | None:
        capture = self._opener(self.url)
        if not capture.isOpened():
            capture.release()
            self._set(CameraState.OFFLINE, "cannot open the stream")
            return None
        fps = capture.get(cv2.CAP_PROP_FPS) if self._is_file else 0.0
        self._frame_interval_s = 1 / (fps if fps > 0 else DEFAULT_FILE_FPS) if self._is_file else 0
        self._set(CameraState.LIVE)
        return capture

    def step(self, capture: Capture) -> bool:
        """Take one frame; False when the stream is gone."""
        if not capture.grab():
            if not self._is_file:
                return False
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop the file like an endless camera
            if not capture.grab():
                return False
        now_s = self._clock()
        self.stats.received(now_s)
        if not self._wants():
            self.stats.skipped()
            return True
        ok, frame = capture.retrieve()
        if ok and frame is not None:
            self._submit(np.asarray(frame, dtype=np.uint8), now_s)
        return True

    def _pace(self) -> None:
        if self._frame_interval_s:
            self._stop.wait(self._frame_interval_s)

    def _set(self, state: CameraState, error: str = "") -> None:
        if self.stats.set_state(state, error):
            if state is CameraState.LIVE:
                logger.info("camera %s is live", self.name)
            else:
                logger.warning("camera %s is %s: %s", self.name, state.value, error)
