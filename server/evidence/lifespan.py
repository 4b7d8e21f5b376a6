"""The parts evidence management runs while the node runs, each on one node of a cluster at a
time (the holder of its lease): the retention job, and the redaction worker."""

from __future__ import annotations

from server.evidence import retention_job
from server.evidence.redaction_worker import RedactionWorker
from server.parts import Run
from server.recognition.runtime import Recognition
from server.state import AppState
from server.uploads.service import Uploads


def parts(state: AppState, uploads: Uploads, recognition: Recognition) -> dict[str, Run]:
    every_s = state.settings.evidence_retention_check_s
    backend = uploads.store.backend
    retain = lambda: retention_job.run_forever(state.db, backend, every_s)  # noqa: E731
    redactions = RedactionWorker(
        state.db, uploads.store, recognition, state.sync_clock, state.settings.evidence_path
    )
    return {
        "evidence-retention": lambda: state.lease("evidence-retention").run(retain),
        "redaction": lambda: state.lease("redaction").run(redactions.run_forever),
    }
