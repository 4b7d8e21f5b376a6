"""The parts the sockets run while the node runs: the revocation sweep, which closes the
socket of a token revoked on any node (server/sockets/revocation.py)."""

from __future__ import annotations

from server.auth.service import REVOCATION_CHECK_S
from server.parts import Run
from server.sockets import revocation
from server.state import AppState


def parts(state: AppState) -> dict[str, Run]:
    state.bus.listen(revocation.heard_by(state.sockets))
    return {
        "revoked-sockets": lambda: revocation.sweep_forever(
            state.db, state.sockets, REVOCATION_CHECK_S
        ),
    }
