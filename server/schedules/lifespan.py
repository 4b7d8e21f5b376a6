"""The part schedules run while the node runs: the late-to-close deadlines, on one node of a
cluster at a time (the holder of the `schedule-deadlines` lease), polled as often as the
dispatch deadlines (`deadline_poll_s`). Its own lease, not the dispatch deadlines' one: a lease
is held by one keeper, and the two jobs fail and restart independently."""

from __future__ import annotations

from server.parts import Run
from server.schedules import late
from server.state import AppState


def parts(state: AppState) -> dict[str, Run]:
    poll_s = state.settings.deadline_poll_s
    check = lambda: late.run_forever(state.db, state.sync_clock, poll_s)  # noqa: E731
    return {"schedule-deadlines": lambda: state.lease("schedule-deadlines").run(check)}
