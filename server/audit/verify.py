"""Walking the audit chain: every entry must link to the one before it (the first kept entry to
the head's anchor), and the last must be the one the head names.

`Checker` is fed entries oldest first and holds only the previous link, so a log of millions of
rows is checked in constant memory; `check` streams the table through it.
"""

from __future__ import annotations

from collections.abc import Callable

from server.audit import repository
from server.audit.schemas import AuditCheck, AuditEntry, AuditHead
from server.db import Database

__all__ = ["Checker", "check"]


class Checker:
    def __init__(self, head: AuditHead) -> None:
        self._head = head
        self._prev_hash = head.anchor_hash
        self._last_id = head.anchor_id
        self.entries = 0
        self.first_bad: int | None = None
        self.problem = ""

    def feed(self, entry: AuditEntry) -> bool:
        """Check the next entry; False once the chain is broken (the rest need not be read)."""
        if entry.prev_hash != self._prev_hash or repository.link(self._prev_hash, entry) != (
            entry.hash
        ):
            self._broken(entry.id, f"entry {entry.id} was edited or a row before it was removed")
            return False
        self._prev_hash, self._last_id = entry.hash, entry.id
        self.entries += 1
        return True

    def result(self) -> AuditCheck:
        head = self._head
        if self.first_bad is None:
            if self._last_id != head.last_id:
                self._broken(
                    head.last_id,
                    f"entry {head.last_id}: the log ends at {self._last_id} but its head says "
                    f"{head.last_id} — the last row was removed",
                )
            elif self._prev_hash != head.last_hash:
                self._broken(
                    head.last_id,
                    f"entry {head.last_id} was rewritten: its hash is not the one its head holds",
                )
            elif self.entries != head.entries:
                self._broken(
                    head.last_id,
                    f"the head counts {head.entries} entries but the log holds {self.entries}",
                )
        return AuditCheck(
            entries=self.entries,
            intact=self.first_bad is None,
            first_bad_entry_id=self.first_bad,
            problem=self.problem,
        )

    def _broken(self, entry_id: int, problem: str) -> None:
        self.first_bad, self.problem = entry_id, problem


async def check(db: Database, progress: Callable[[int], object] | None = None) -> AuditCheck:
    """The whole chain, read in batches, oldest first."""
    checker = Checker(await repository.head(db))
    async for entry in repository.walk(db):
        if not checker.feed(entry):
            break
        if progress is not None:
            progress(1)
    return checker.result()
