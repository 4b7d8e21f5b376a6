"""`posbon token list` as a plain-text table: one line a token, never a secret."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from server.auth.schemas import Scope, TokenOut

HEADINGS: Final = ("ID", "NAME", "ROLE", "KIND", "SCOPE", "LAST USED", "REVOKED")
NEVER: Final = "never"
GAP: Final = "  "


def scope_text(scope: Scope) -> str:
    """'everywhere', or each narrowed part: 'districts=North|South cameras=3'."""
    if scope.unlimited:
        return "everywhere"
    parts = (
        ("districts", scope.districts),
        ("cameras", scope.cameras),
        ("watchlists", scope.watchlists),
    )
    return " ".join(
        f"{name}={'|'.join(sorted(str(item) for item in items)) or '-'}"
        for name, items in parts
        if items is not None
    )


def _when(moment: dt.datetime | None) -> str:
    return NEVER if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def row_of(token: TokenOut) -> tuple[str, ...]:
    return (
        str(token.id),
        token.name,
        token.role.value,
        token.kind.value,
        scope_text(token.scope),
        _when(token.last_used_at),
        "yes" if token.revoked else "no",
    )


def token_table(tokens: Sequence[TokenOut]) -> str:
    """The headings and a line per token, in columns as wide as their widest cell."""
    rows = [HEADINGS, *(row_of(token) for token in tokens)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS))]
    return "\n".join(
        GAP.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
