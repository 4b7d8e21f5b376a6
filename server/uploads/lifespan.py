"""The parts uploads run while the node runs: the expiry of abandoned tus uploads, on one node
of a cluster at a time (the holder of the `upload-expiry` lease)."""

from __future__ import annotations

from server.parts import Run
from server.state import AppState
from server.uploads.service import Uploads


def parts(state: AppState, uploads: Uploads) -> dict[str, Run]:
    return {"upload-expiry": lambda: state.lease("upload-expiry").run(uploads.expire_forever)}
