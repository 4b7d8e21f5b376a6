"""The parts evidence management runs while the node runs."""

from __future__ import annotations

from server.parts import Run
from server.state import AppState
from server.uploads.service import Uploads


def parts(state: AppState, uploads: Uploads) -> dict[str, Run]:
    del state, uploads
    return {}
