"""The part verification runs while the node runs: the snapshot worker, on one node of a cluster
at a time (the holder of the `verification` lease)."""

from __future__ import annotations

from server.parts import Run
from server.state import AppState
from server.uploads.service import Uploads
from server.verification.worker import SnapshotWorker

SCRATCH_FOLDER = "verification-scratch"


def parts(state: AppState, uploads: Uploads) -> dict[str, Run]:
    settings = state.settings
    worker = SnapshotWorker(
        state.db,
        uploads.store,
        state.sync_clock,
        settings.evidence_path / SCRATCH_FOLDER,
        max_lag_s=settings.snapshot_max_lag_s,
    )
    run = lambda: worker.run_forever(settings.verification_poll_s)  # noqa: E731
    return {"verification": lambda: state.lease("verification").run(run)}
