"""The redaction worker: the part that finds the boxes (`proposing`) and writes the blurred
derivative (`rendering`) of each job the routes left in the `redactions` table.

Theory of operation. The worker runs on one node of a cluster at a time (the `redaction` lease)
and takes the oldest job in a working state, so a job stopped mid-step by a restart or a lost
lease is simply taken again: proposing starts over, rendering renders again, and registering the
derivative (server/evidence/derivatives.py) is one transaction that a repeat leaves alone. Each
start is counted (`attempts`, a conditional UPDATE): a job that stopped the server
`MAX_ATTEMPTS` times is failed with a sentence saying so instead of being taken forever.

The CPU work (decoding, tracking, encoding) runs in a thread of its own off the event loop; the
detectors are the node's own recognition models, and each detection is handed to the
recognition thread (`Recognition.pump.call`), the one thread those models run in, so camera
frames and a redaction take turns there. The thread's progress is written to the job twice a
second; a cancelled worker (the node stops) tells its thread to stop at the next frame.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from recognition.redaction import (
    ImageArray,
    Proposal,
    RenderResult,
    TrackKind,
    propose,
    render,
)
from server.db import Database
from server.evidence import derivatives, redaction_files
from server.evidence import redaction_repository as repository
from server.evidence.derivatives import NewDerivative
from server.evidence.redaction_schemas import Redaction, RedactionState
from server.recognition.runtime import Recognition
from server.uploads.evidence.base import hash_file
from server.uploads.storage import EvidenceStore
from sync.hlc import HybridClock
from sync.recordings import Derivation

logger = logging.getLogger(__name__)

POLL_S: Final = 1.0
"""How often an idle worker looks for a new job."""
PROGRESS_WRITE_S: Final = 0.5
MAX_ATTEMPTS: Final = 3
WAIT_STEP_S: Final = 0.5
"""How often a detection waiting for the recognition thread checks that it should go on."""
R = TypeVar("R")
Progress = Callable[[int, int], None]


class Stopped(Exception):
    """The worker was cancelled; the thread gives up at its next frame."""


class _OnRecognitionThread(Generic[R]):
    """A detector whose `detect` runs in the recognition thread, called from the worker's."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        recognition: Recognition,
        detect: Callable[[ImageArray], R],
        stop: threading.Event,
    ) -> None:
        self._loop, self._recognition, self._detect, self._stop = loop, recognition, detect, stop

    def detect(self, image: ImageArray) -> R:
        call = self._recognition.pump.call(lambda: self._detect(image))
        future = asyncio.run_coroutine_threadsafe(call, self._loop)
        while True:
            try:
                return future.result(WAIT_STEP_S)
            except FutureTimeout:
                if self._stop.is_set():
                    future.cancel()
                    raise Stopped from None


class RedactionWorker:
    def __init__(
        self,
        db: Database,
        store: EvidenceStore,
        recognition: Recognition,
        clock: HybridClock,
        evidence_path: Path,
    ) -> None:
        self.db, self.store, self.recognition, self.clock = db, store, recognition, clock
        self.evidence_path = evidence_path

    async def run_forever(self, poll_s: float = POLL_S) -> None:
        while True:
            job = await repository.next_working(self.db)
            if job is None:
                await asyncio.sleep(poll_s)
            else:
                await self.run_one(job)

    async def run_one(self, job: Redaction) -> None:
        """One step of one job; a failure fails the job, never the worker."""
        if job.attempts >= MAX_ATTEMPTS:
            await self._fail(
                job,
                f"the server stopped {job.attempts} times while {job.state.value}; "
                "start a new redaction",
            )
            return
        async with self.db.write():
            if not await repository.claim(self.db, job):
                return  # moved meanwhile: the next round sees its new state
        logger.info("redaction %s: %s (start %s)", job.id, job.state.value, job.attempts + 1)
        try:
            if job.state is RedactionState.PROPOSING:
                await self._propose(job)
            else:
                await self._render(job)
        except Exception as err:
            logger.exception("redaction %s failed while %s", job.id, job.state.value)
            await self._fail(job, str(err) or type(err).__name__)

    async def _fail(self, job: Redaction, error: str) -> None:
        async with self.db.write():
            await repository.failed(self.db, job.id, job.state, error)
        await asyncio.to_thread(redaction_files.remove_scratch, self._scratch(job))

    def _scratch(self, job: Redaction) -> Path:
        return redaction_files.scratch(self.evidence_path, job.id)

    async def _propose(self, job: Redaction) -> None:
        video = await redaction_files.local_original(
            self.store, job.source_sha256, self._scratch(job)
        )
        recognizer = await self.recognition.recognizer()
        faces, plates = await self.recognition.pump.call(
            lambda: (recognizer.face_pipeline()[0], recognizer.plate_reader())
        )
        loop = asyncio.get_running_loop()

        def work(progress: Progress, stop: threading.Event) -> Proposal:
            return propose(
                video,
                _OnRecognitionThread(loop, self.recognition, faces.detect, stop),
                _OnRecognitionThread(loop, self.recognition, plates.detect, stop),
                detect_every_n_frames=job.detect_every_n_frames,
                progress=progress,
            )

        proposal = await self._in_thread(job, work)
        async with self.db.write():
            await repository.proposed(self.db, job.id, proposal.video, proposal.tracks)
        logger.info("redaction %s: %s tracks proposed", job.id, len(proposal.tracks))

    async def _render(self, job: Redaction) -> None:
        folder = self._scratch(job)
        video = await redaction_files.local_original(self.store, job.source_sha256, folder)
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        out = folder / "redacted"

        def work(progress: Progress, stop: threading.Event) -> RenderResult:
            del stop  # the progress callback raises once it is set
            return render(video, out, job.tracks or [], progress=progress)

        result = await self._in_thread(job, work)
        sha256 = await asyncio.to_thread(hash_file, out)
        size_bytes = (await asyncio.to_thread(out.stat)).st_size
        await self.store.backend.keep(sha256, out)
        made = _derivative(job, result, sha256, size_bytes)
        async with self.db.write():
            await derivatives.register(self.db, self.clock, made)
            await repository.rendered(self.db, job.id, sha256)
        await asyncio.to_thread(redaction_files.remove_scratch, folder)
        logger.info("redaction %s: derivative %s rendered", job.id, job.derivative_id)

    async def _in_thread(self, job: Redaction, work: Callable[[Progress, threading.Event], R]) -> R:
        """`work` in a thread, its progress written to the job while it runs."""
        stop = threading.Event()
        latest = [0.0]

        def progress(done: int, total: int) -> None:
            if stop.is_set():
                raise Stopped
            latest[0] = min(1.0, done / total) if total > 0 else 0.0

        task = asyncio.ensure_future(asyncio.to_thread(work, progress, stop))
        task.add_done_callback(_retrieve)
        written = 0.0
        try:
            while True:
                finished, _ = await asyncio.wait({task}, timeout=PROGRESS_WRITE_S)
                if latest[0] != written:
                    written = latest[0]
                    async with self.db.write():
                        await repository.set_progress(self.db, job.id, job.state, written)
                if finished:
                    return task.result()
        finally:
            stop.set()


def _derivative(
    job: Redaction, result: RenderResult, sha256: str, size_bytes: int
) -> NewDerivative:
    if job.derivative_id is None or job.rendered_by is None or job.video is None:
        raise ValueError(f"redaction {job.id} is rendering without a derivative id")
    video = job.video
    tracks = job.tracks or []
    return NewDerivative(
        original_id=job.recording_id,
        derivative_id=job.derivative_id,
        sha256=sha256,
        size_bytes=size_bytes,
        suffix=result.output_suffix,
        derivation=Derivation.REDACTION,
        actor=job.rendered_by,
        details={
            "redaction_id": job.id,
            "original_sha256": job.source_sha256,
            "tracks": len(tracks),
            "manual_tracks": sum(track.kind is TrackKind.MANUAL for track in tracks),
            "frames": result.frames,
        },
        facts={
            "fps": video.fps,
            "resolution": f"{video.width_px}x{video.height_px}",
            "container": result.output_suffix.lstrip("."),
            "codec": "",
        },
    )


def _retrieve(task: asyncio.Future[Any]) -> None:
    """A thread told to stop raises `Stopped` after nobody waits any more: seen, not logged."""
    if not task.cancelled():
        task.exception()
