"""The parts sync runs while the node runs: the change-log compaction, on one node of a cluster
at a time (the holder of the `sync-compaction` lease)."""

from __future__ import annotations

from server.parts import Run
from server.state import AppState
from server.sync import compaction


def parts(state: AppState) -> dict[str, Run]:
    settings = state.settings
    return {
        "sync-compaction": lambda: state.lease("sync-compaction").run(
            lambda: compaction.compact_forever(
                state.db, settings.sync_log_retention_s, settings.sync_compact_interval_s
            )
        ),
    }
