"""Plans join the incident's opening and closing through the incident hooks (no import loop:
plans imports incidents, never the other way)."""

from __future__ import annotations

from typing import Final

from server.incidents import hooks
from server.plans import checklist

NAME: Final = "plans"


def register() -> None:
    """Attach a plan to each new incident and hold a close while a required step is open.
    Idempotent; server/app.py calls it as it composes a node."""
    hooks.on_open(NAME, checklist.attach_plan)
    hooks.on_close(NAME, checklist.check_close)
