"""Leases: work that one node of a cluster does at a time (the timers).

Theory of operation. On PostgreSQL a lease is a session-level advisory lock taken on a
connection of its own. PostgreSQL drops the lock when that session ends, so a node that dies
gives its leases up as soon as its socket closes (SIGKILL: at once, the kernel closes it; a node
cut off by the network: when the server's TCP keepalive gives up, set short below). Every
``check_s`` the holder runs a query on that connection: if it fails, the holder stops its work
at once, because another node may already have taken the lease over. The others try to take it
every ``check_s``, so a dead holder is replaced within a few seconds.

A new holder waits one ``check_s`` before it starts, the time a holder whose session was cut
needs to notice. That makes an overlap unlikely, not impossible (a check can hang until its
timeout), so the work guarded here (dispatch deadlines, supervision expiry, upload expiry) also
claims each row with a conditional UPDATE: an overlap costs a wasted query, never a double action.

On SQLite one process owns the file: the lease is always held.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar, Final

import asyncpg

logger = logging.getLogger(__name__)

DEFAULT_CHECK_S: Final = 2.0
QUERY_TIMEOUT_S: Final = 5.0
# A holder cut off by the network keeps its lock until PostgreSQL notices the dead session.
KEEPALIVE: Final = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}
Work = Callable[[], Coroutine[Any, Any, None]]


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a lease name."""
    digest = hashlib.sha256(f"posbon:lease:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Lease(abc.ABC):
    shared: ClassVar[bool] = True
    """Other nodes may hold it: a new holder waits for a lost one to notice."""

    def __init__(self, name: str) -> None:
        self.name = name

    @abc.abstractmethod
    async def acquire(self) -> bool:
        """Try once to take the lease; True if this node holds it now."""

    @abc.abstractmethod
    async def still_held(self) -> bool:
        """False once this node can no longer be sure it holds the lease."""

    @abc.abstractmethod
    async def release(self) -> None:
        """Give the lease up (harmless when not held)."""


class AlwaysHeld(Lease):
    """The embedded deployment's lease: one process, nobody to share with."""

    shared = False

    async def acquire(self) -> bool:
        return True

    async def still_held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLease(Lease):
    def __init__(self, name: str, dsn: str) -> None:
        super().__init__(name)
        self._dsn = dsn
        self._key = lock_key(name)
        self._connection: asyncpg.Connection | None = None

    async def acquire(self) -> bool:
        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(
                self._dsn, timeout=QUERY_TIMEOUT_S, server_settings=KEEPALIVE
            )
        taken = await self._connection.fetchval(
            "SELECT pg_try_advisory_lock($1)", self._key, timeout=QUERY_TIMEOUT_S
        )
        return bool(taken)

    async def still_held(self) -> bool:
        if self._connection is None or self._connection.is_closed():
            return False
        try:
            await self._connection.fetchval("SELECT 1", timeout=QUERY_TIMEOUT_S)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def release(self) -> None:
        """Closing the session releases the lock on the server, whatever state it was in."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=QUERY_TIMEOUT_S)
            connection.terminate()


def make_lease(name: str, database_url: str) -> Lease:
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresLease(name, database_url)
    return AlwaysHeld(name)


class LeaseWorkFailed(RuntimeError):
    """The work run under a lease raised; the lease is released before this propagates."""


def _raise_if_cancelled() -> None:
    """Python 3.11's wait_for (inside drivers) can swallow a cancellation that arrives as the
    awaited operation finishes; a keeper must still stop when its node shuts down."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class LeaseKeeper:
    """Keeps trying to hold one lease and runs its work only while holding it."""

    def __init__(self, lease: Lease, check_s: float = DEFAULT_CHECK_S) -> None:
        self.lease = lease
        self._check_s = check_s
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    async def run(self, work: Work | None = None) -> None:
        """Forever: take the lease, run ``work`` while it is held, stop it when it is not.
        Without ``work`` the keeper only keeps ``held`` up to date (for a predicate)."""
        try:
            while True:
                if await self._try_acquire():
                    await self._hold(work)
                _raise_if_cancelled()
                await asyncio.sleep(self._check_s)
        finally:
            self._held = False
            await self.lease.release()

    async def _try_acquire(self) -> bool:
        try:
            taken = await self.lease.acquire()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
            logger.warning("lease %s: database unreachable (%r)", self.lease.name, err)
            await self.lease.release()
            return False
        return taken

    async def _hold(self, work: Work | None) -> None:
        if self.lease.shared:
            # A holder whose session was cut notices within one check: give it that long.
            await asyncio.sleep(self._check_s)
            if not await self.lease.still_held():
                await self.lease.release()
                return
        self._held = True
        logger.info("lease %s taken: this node runs it", self.lease.name)
        task = None if work is None else asyncio.create_task(work(), name=self.lease.name)
        try:
            while await self.lease.still_held():
                _raise_if_cancelled()
                await asyncio.sleep(self._check_s)
                if task is not None and task.done():
                    break
        finally:
            self._held = False
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            await self.lease.release()
        if task is not None and task.done() and not task.cancelled():
            failure = task.exception()
            if failure is not None:  # the job died: whoever supervises this keeper must know
                raise LeaseWorkFailed(f"the work under lease {self.lease.name} failed") from failure
        logger.warning("lease %s given up: another node may take it over", self.lease.name)
