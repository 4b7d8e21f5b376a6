"""The client's durable state: one SQLite file (stdlib sqlite3, WAL) per device.

Tables: ``queue`` (mutations not yet confirmed, in client_seq order), ``confirmed`` (entities
as the server sent them), ``members`` (which scope brought each entity, for eviction),
``cursors`` (per scope), ``snapshots`` (resets in progress, resumable), ``rejected`` (the
inbox of mutations the server refused for good) and ``meta`` (device id, next seq, HLC).

Every method that changes state is one transaction, so a crash leaves either all of a step or
none of it: an enqueue takes its seq and writes its row together, a pull page and its cursors
land together (a crash between "apply page" and "commit cursor" is impossible).

A queue row is ``pending`` until a push result confirms it, then ``acked``: no longer sent,
but still laid over the confirmed state until a pull that reached the end says the server has
it (``acked_seq``), so the screen never shows an edit vanish and come back.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final, TypeVar

import msgspec

from sync import hlc
from sync.entities import EntityKind
from sync.errors import MutationRejectedError
from sync.merge import EntityState, FieldStamp, merge_stamps
from sync.messages import Applied, Change, PullResponse, PushResponse, Rejected, SnapshotPage
from sync.mutations import AnyMutation, Mutation
from sync.overlay import Key, keys_of

M = TypeVar("M", bound=Mutation)
IN_LIST_CHUNK: Final = 500

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS queue (client_seq INTEGER PRIMARY KEY, mutation_id TEXT NOT "
    "NULL UNIQUE, body BLOB NOT NULL, acked INTEGER NOT NULL DEFAULT 0)",
    # Pending rows are found without walking past the acked ones still laid over the view.
    "CREATE INDEX IF NOT EXISTS queue_pending ON queue (client_seq) WHERE acked = 0",
    "CREATE TABLE IF NOT EXISTS confirmed (kind TEXT NOT NULL, entity_id TEXT NOT NULL, "
    "fields BLOB NOT NULL, PRIMARY KEY (kind, entity_id))",
    "CREATE TABLE IF NOT EXISTS members (scope TEXT NOT NULL, kind TEXT NOT NULL, "
    "entity_id TEXT NOT NULL, PRIMARY KEY (scope, kind, entity_id))",
    "CREATE TABLE IF NOT EXISTS cursors (scope TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS snapshots (scope TEXT PRIMARY KEY, cursor INTEGER, after_id TEXT)",
    "CREATE TABLE IF NOT EXISTS rejected (mutation_id TEXT PRIMARY KEY, client_seq INTEGER NOT "
    "NULL, code TEXT NOT NULL, reason TEXT NOT NULL, body BLOB NOT NULL)",
)

_encode = msgspec.json.Encoder().encode
_FIELDS: Final = msgspec.json.Decoder(dict[str, FieldStamp])
_MUTATION: Final[msgspec.json.Decoder[AnyMutation]] = msgspec.json.Decoder(AnyMutation)


class RejectedMutation(msgspec.Struct, frozen=True):
    """A mutation the server refused for good, waiting for the user to edit or discard it."""

    mutation: AnyMutation
    code: str
    reason: str


class SnapshotTask(msgspec.Struct, frozen=True):
    """A scope being fetched again; ``after_id`` is where to resume."""

    scope: str
    after_id: uuid.UUID | None


def absorb(current: EntityState | None, incoming: EntityState) -> EntityState:
    """Merge what the server sent into a confirmed entity, by the same rules as the server.

    The server is the authority: what the rules would refuse (a newer server's field, a fact
    the server accepted) is taken as sent.
    """
    if current is None:
        return incoming  # the server's rows are already merged: nothing to join with
    if all(current.fields.get(name) == stamp for name, stamp in incoming.fields.items()):
        return current  # already have it (the same change arrives once per scope)
    try:
        return merge_stamps(current, incoming.kind, incoming.entity_id, incoming.fields).state
    except MutationRejectedError:
        fields = {**(current.fields if current is not None else {}), **incoming.fields}
        return EntityState(incoming.kind, incoming.entity_id, fields)


class LocalStore:
    """A device's durable sync state."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, path: Path | str, device_id: uuid.UUID | None = None) -> LocalStore:
        """Open (or create) the store; a new one gets ``device_id`` or a random id."""
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        store = cls(connection)
        with store._write():
            for statement in _SCHEMA:
                connection.execute(statement)
            defaults = {"device_id": str(device_id or uuid.uuid4()), "next_seq": "1", "hlc": "0"}
            connection.executemany(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", defaults.items()
            )
        return store

    def close(self) -> None:
        """Close the file; everything written is already durable."""
        self._db.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _meta(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0])

    def _set_meta(self, key: str, value: object) -> None:
        self._db.execute("UPDATE meta SET value = ? WHERE key = ?", (str(value), key))

    @property
    def device_id(self) -> uuid.UUID:
        return uuid.UUID(self._meta("device_id"))

    @property
    def clock(self) -> int:
        """The device's HLC."""
        return int(self._meta("hlc"))

    def observe(self, server_hlc: int, wall_ms: int) -> None:
        """Move the HLC past a stamp the server sent."""
        with self._write():
            self._set_meta("hlc", hlc.receive(self.clock, server_hlc, wall_ms))

    # The queue.

    def enqueue(self, build: Callable[[int, int, int], M], count: int, wall_ms: int) -> list[M]:
        """Make ``count`` mutations with fresh seqs and stamps and queue them, atomically.

        ``build(index, client_seq, stamp)`` makes the ``index``-th one.
        """
        made: list[M] = []
        with self._write():
            seq, stamp = int(self._meta("next_seq")), self.clock
            for index in range(count):
                stamp = hlc.tick(stamp, wall_ms)
                mutation = build(index, seq, stamp)
                self._db.execute(
                    "INSERT INTO queue (client_seq, mutation_id, body) VALUES (?, ?, ?)",
                    (seq, str(mutation.mutation_id), _encode(mutation)),
                )
                made.append(mutation)
                seq += 1
            self._set_meta("next_seq", seq)
            self._set_meta("hlc", stamp)
        return made

    def pending(self, limit: int) -> list[AnyMutation]:
        """The first ``limit`` mutations not yet confirmed, in seq order."""
        rows = self._db.execute(
            "SELECT body FROM queue WHERE acked = 0 ORDER BY client_seq LIMIT ?", (limit,)
        )
        return [_MUTATION.decode(row[0]) for row in rows]

    def queued(self) -> list[AnyMutation]:
        """Every mutation still laid over the confirmed state (pending and acked)."""
        rows = self._db.execute("SELECT body FROM queue ORDER BY client_seq")
        return [_MUTATION.decode(row[0]) for row in rows]

    def pending_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM queue WHERE acked = 0").fetchone()[0])

    def record_push(self, response: PushResponse, wall_ms: int) -> list[Rejected]:
        """Take a push's results: confirmed ones acked, refused ones into the rejected inbox."""
        refused: list[Rejected] = []
        with self._write():
            for result in response.results:
                outcome = result.original if not isinstance(result, Applied | Rejected) else result
                if isinstance(outcome, Rejected):
                    self._reject(outcome)
                    refused.append(outcome)
            self._db.execute(
                "UPDATE queue SET acked = 1 WHERE acked = 0 AND client_seq <= ?",
                (response.last_seq,),
            )
            self._set_meta("hlc", hlc.receive(self.clock, response.server_hlc, wall_ms))
        return refused

    def _reject(self, result: Rejected) -> None:
        row = self._db.execute(
            "SELECT body FROM queue WHERE client_seq = ? AND mutation_id = ?",
            (result.client_seq, str(result.mutation_id)),
        ).fetchone()
        if row is None:
            return  # already moved by an earlier answer
        self._db.execute(
            "INSERT OR IGNORE INTO rejected (mutation_id, client_seq, code, reason, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (str(result.mutation_id), result.client_seq, result.code, result.reason, row[0]),
        )
        self._db.execute("DELETE FROM queue WHERE client_seq = ?", (result.client_seq,))

    def renumber_from(self, expected: int) -> bool:
        """After a ``gap``: number the pending mutations without holes; False if none were.

        The server refused at its first missing seq, ``expected``: nothing from there on was
        ever accepted, so those mutations may take lower numbers. Numbering starts at the first
        pending seq, or at ``expected`` if the server wants an earlier one (it has none of the
        batch); seqs before the hole keep their numbers, so a retry still deduplicates.
        """
        with self._write():
            rows = self._db.execute(
                "SELECT client_seq, body FROM queue WHERE acked = 0 ORDER BY client_seq"
            ).fetchall()
            acked = self._db.execute("SELECT MAX(client_seq) FROM queue WHERE acked = 1")
            floor = (acked.fetchone()[0] or 0) + 1  # never reuse a seq the server confirmed
            start = max(floor, min([expected, *(seq for seq, _ in rows[:1])]))
            if [seq for seq, _ in rows] == list(range(start, start + len(rows))):
                return False
            self._db.execute("DELETE FROM queue WHERE acked = 0")
            for seq, (_, body) in enumerate(rows, start=start):
                mutation = msgspec.structs.replace(_MUTATION.decode(body), client_seq=seq)
                self._db.execute(
                    "INSERT INTO queue (client_seq, mutation_id, body) VALUES (?, ?, ?)",
                    (seq, str(mutation.mutation_id), _encode(mutation)),
                )
            self._set_meta("next_seq", start + len(rows))
        return True

    def reject_locally(self, mutation: AnyMutation, code: str, reason: str) -> None:
        """Move a mutation the server can never take (too large) to the rejected inbox."""
        result = Rejected(
            client_seq=mutation.client_seq,
            mutation_id=mutation.mutation_id,
            code=code,
            reason=reason,
        )
        with self._write():
            self._reject(result)

    # The rejected inbox.

    def rejected(self) -> list[RejectedMutation]:
        rows = self._db.execute("SELECT body, code, reason FROM rejected ORDER BY client_seq")
        return [RejectedMutation(_MUTATION.decode(b), code, reason) for b, code, reason in rows]

    def discard_rejected(self, mutation_id: uuid.UUID) -> None:
        with self._write():
            self._db.execute("DELETE FROM rejected WHERE mutation_id = ?", (str(mutation_id),))

    # Confirmed state, cursors, scopes.

    def cursors(self) -> dict[str, int]:
        return {str(s): int(c) for s, c in self._db.execute("SELECT scope, seq FROM cursors")}

    def confirmed(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        row = self._db.execute(
            "SELECT fields FROM confirmed WHERE kind = ? AND entity_id = ?",
            (kind.value, str(entity_id)),
        ).fetchone()
        return None if row is None else EntityState(kind, entity_id, _FIELDS.decode(row[0]))

    def all_confirmed(self) -> dict[Key, EntityState]:
        found: dict[Key, EntityState] = {}
        for kind, entity_id, fields in self._db.execute(
            "SELECT kind, entity_id, fields FROM confirmed"
        ):
            key = (EntityKind(kind), uuid.UUID(entity_id))
            found[key] = EntityState(key[0], key[1], _FIELDS.decode(fields))
        return found

    def _load(self, keys: Iterable[Key]) -> dict[Key, EntityState]:
        ids = sorted({str(entity_id) for _, entity_id in keys})
        found: dict[Key, EntityState] = {}
        for start in range(0, len(ids), IN_LIST_CHUNK):
            chunk = ids[start : start + IN_LIST_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT kind, entity_id, fields FROM confirmed WHERE entity_id IN ({marks})",  # noqa: S608
                chunk,
            )
            for kind, entity_id, fields in rows:
                key = (EntityKind(kind), uuid.UUID(entity_id))
                found[key] = EntityState(key[0], key[1], _FIELDS.decode(fields))
        return found

    def _absorb_all(self, scope_rows: list[tuple[str, EntityState]]) -> None:
        states = self._load((row.kind, row.entity_id) for _, row in scope_rows)
        for _, row in scope_rows:
            key = (row.kind, row.entity_id)
            states[key] = absorb(states.get(key), row)
        touched = {(row.kind, row.entity_id) for _, row in scope_rows}
        self._db.executemany(
            "INSERT OR REPLACE INTO confirmed (kind, entity_id, fields) VALUES (?, ?, ?)",
            [(k.value, str(i), _encode(states[(k, i)].fields)) for k, i in touched],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO members (scope, kind, entity_id) VALUES (?, ?, ?)",
            {(scope, row.kind.value, str(row.entity_id)) for scope, row in scope_rows},
        )

    def apply_page(self, page: PullResponse, wall_ms: int) -> None:
        """A pull page, its cursors, resets, evictions and acks, in one transaction."""
        with self._write():
            self._absorb_all([(c.scope, _state_of(c)) for c in page.changes])
            known = self.cursors()
            self._db.executemany(
                "INSERT OR REPLACE INTO cursors (scope, seq) VALUES (?, ?)",
                [(s, c) for s, c in page.cursors.items() if c >= known.get(s, 0)],
            )
            for scope in page.reset:
                self._db.execute("DELETE FROM cursors WHERE scope = ?", (scope,))
                self._db.execute("INSERT OR IGNORE INTO snapshots (scope) VALUES (?)", (scope,))
            for scope in page.evict:
                self._evict(scope)
            if not page.has_more and not page.reset:
                self._db.execute(
                    "DELETE FROM queue WHERE acked = 1 AND client_seq <= ?", (page.acked_seq,)
                )
            self._set_meta("hlc", hlc.receive(self.clock, page.server_hlc, wall_ms))

    def _evict(self, scope: str) -> None:
        """Forget a scope; its rows go unless another scope or a queued edit keeps them."""
        self._db.execute("DELETE FROM cursors WHERE scope = ?", (scope,))
        self._db.execute("DELETE FROM snapshots WHERE scope = ?", (scope,))
        self._db.execute("DELETE FROM members WHERE scope = ?", (scope,))
        kept = {(k.value, str(i)) for k, i in _queued_keys(self.queued())}
        orphans = self._db.execute(
            "SELECT kind, entity_id FROM confirmed c WHERE NOT EXISTS (SELECT 1 FROM members m "
            "WHERE m.kind = c.kind AND m.entity_id = c.entity_id)"
        ).fetchall()
        self._db.executemany(
            "DELETE FROM confirmed WHERE kind = ? AND entity_id = ?",
            [(kind, entity_id) for kind, entity_id in orphans if (kind, entity_id) not in kept],
        )

    def snapshot_tasks(self) -> list[SnapshotTask]:
        rows = self._db.execute("SELECT scope, after_id FROM snapshots ORDER BY scope")
        return [SnapshotTask(s, None if a is None else uuid.UUID(a)) for s, a in rows]

    def drop_snapshot(self, scope: str) -> None:
        """A scope the server no longer lets us read: stop fetching it and forget it."""
        with self._write():
            self._evict(scope)

    def apply_snapshot_page(self, page: SnapshotPage) -> bool:
        """One snapshot page; returns True when the scope's snapshot is complete.

        The first page's ``cursor`` is kept: rows of later pages were read later, and pulling
        from the earliest head merges a few changes twice, which is harmless, and skips none.
        """
        with self._write():
            self._absorb_all([(page.scope, row) for row in page.rows])
            self._db.execute(
                "UPDATE snapshots SET cursor = COALESCE(cursor, ?) WHERE scope = ?",
                (page.cursor, page.scope),
            )
            if page.next_after_id is not None:
                self._db.execute(
                    "UPDATE snapshots SET after_id = ? WHERE scope = ?",
                    (str(page.next_after_id), page.scope),
                )
                return False
            self._db.execute(
                "INSERT OR REPLACE INTO cursors (scope, seq) SELECT scope, cursor FROM snapshots "
                "WHERE scope = ?",
                (page.scope,),
            )
            self._db.execute("DELETE FROM snapshots WHERE scope = ?", (page.scope,))
        return True


def _state_of(change: Change) -> EntityState:
    return EntityState(change.kind, change.entity_id, change.fields)


def _queued_keys(mutations: list[AnyMutation]) -> set[Key]:
    return {key for mutation in mutations for key in keys_of(mutation)}
