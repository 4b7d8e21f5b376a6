"""The parts incidents run while the app runs: the dispatch deadlines (re-send, then escalate),
on one node of a cluster at a time (the holder of the `deadlines` lease)."""

from __future__ import annotations

from server.incidents import deadlines
from server.parts import Run
from server.state import AppState


def parts(state: AppState) -> dict[str, Run]:
    settings = state.settings
    estimator = deadlines.estimator_for(settings)
    return {
        "deadlines": lambda: state.lease("deadlines").run(
            lambda: deadlines.run_forever(state.db, settings.deadline_poll_s, estimator)
        ),
    }
