"""Every node matches against the watchlists and plate lists as stored, whichever node (or
command) changed them.

Theory of operation. A node loads its indexes once (`Recognition.indexes`) and applies the
changes made through itself directly (server.watchlists.service, server.plates.service). Every
change also bumps its list's `revision` and rings `recognition-list:watchlist:<id>` or
`recognition-list:plates:<id>` once its write commits (the repositories' `_changed`); the bus
carries the name to every node, this one included, like the token revocations
(server.sockets.revocation). Two parts of each node follow them:

* ``recognition-list-reloads`` reloads each list a doorbell names, one list at a time, from the
  database. A list asked for while it is being reloaded is reloaded once more afterwards (the
  asks are a set: several rings make one more reload, never N), since the running read may have
  begun before that change committed. A reload first reads the list's revision alone and stops
  there when the index already holds it (the ringing node's own echo), so only a changed list
  pays for reading its rows.
* ``recognition-list-check``, every ``recognition_list_check_s``, compares the revision each
  loaded list was read at with `SELECT id, revision` of both tables (a few rows) and asks for the
  lists that differ, are new, or are gone: the safety net for a ring never heard (a
  `posbon watchlist import` or `posbon plates import` in its own process, a bus outage).

A list's revision is read before its rows, so what is loaded is at least as new as the revision
it is filed under: a change that races with a reload is found again, never lost. Until an index
is first loaded there is nothing to keep in step; a ring then only makes a first load that is
still reading start again (`generation`), as a direct change does.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from server.plates import repository as plates_repository
from server.plates.index import CHANGED_PREFIX as PLATES_PREFIX
from server.recognition.runtime import Recognition
from server.watchlists import repository as watchlists_repository
from server.watchlists.index import CHANGED_PREFIX as WATCHLIST_PREFIX

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class ListKind(enum.StrEnum):
    WATCHLIST = "watchlist"
    PLATES = "plates"


ListKey = tuple[ListKind, int]
_PREFIXES = {ListKind.WATCHLIST: WATCHLIST_PREFIX, ListKind.PLATES: PLATES_PREFIX}


def rung(names: Iterable[str]) -> set[ListKey]:
    """The lists a doorbell names (other names, such as relay streams, are not ours)."""
    keys: set[ListKey] = set()
    for name in names:
        for kind, prefix in _PREFIXES.items():
            list_id = name.removeprefix(prefix)
            if list_id != name and list_id.isdigit():
                keys.add((kind, int(list_id)))
    return keys


def stale(loaded: Mapping[int, int], stored: Mapping[int, int]) -> set[int]:
    """The lists to reload, by id: stored at another revision than the one loaded, stored and
    not loaded (new), or loaded and no longer stored (gone: the reload drops them)."""
    differ = {list_id for list_id, revision in stored.items() if loaded.get(list_id) != revision}
    return differ | (loaded.keys() - stored.keys())


class Reloads(Generic[K]):
    """The lists waiting for a reload: each asked for once however often it is rung, and one
    reload at a time, so an ask while its list is being reloaded makes exactly one more."""

    def __init__(self) -> None:
        self._waiting: set[K] = set()
        self._wake = asyncio.Event()

    def ask(self, keys: Iterable[K]) -> None:
        added = set(keys) - self._waiting
        if added:
            self._waiting |= added
            self._wake.set()

    async def run(self, reload: Callable[[K], Awaitable[None]]) -> None:
        """Reload what is asked for, forever; a failed reload is logged and left to the next
        ring or check (its revision did not move)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            keys, self._waiting = self._waiting, set()
            for key in keys:
                try:
                    await reload(key)
                except Exception:  # the check asks again while the revision still differs
                    logger.exception("could not reload recognition list %s", key)


class ListKeeper:
    """Keeps one node's watchlist and plate indexes in step with the database."""

    def __init__(self, rec: Recognition) -> None:
        self._rec = rec
        self.reloads: Reloads[ListKey] = Reloads()

    def heard(self, names: frozenset[str]) -> None:
        """The bus listener: reload the lists the doorbell names."""
        self.reloads.ask(rung(names))

    async def reload(self, key: ListKey) -> None:
        kind, list_id = key
        if kind is ListKind.WATCHLIST:
            await self._reload_watchlist(list_id)
        else:
            await self._reload_plates(list_id)

    async def _reload_watchlist(self, list_id: int) -> None:
        index = self._rec.watchlists
        if not index.loaded:
            index.generation += 1  # a first load still reading reads again
            return
        revision = await watchlists_repository.revision(self._rec.db, list_id)
        if revision is not None and index.revisions().get(list_id) == revision:
            return
        stored = await watchlists_repository.load(self._rec.db, list_id)
        if stored is None:
            index.drop_watchlist(list_id)
        else:
            index.put_stored(stored)

    async def _reload_plates(self, list_id: int) -> None:
        index = self._rec.plates
        if not index.loaded:
            index.generation += 1
            return
        revision = await plates_repository.revision(self._rec.db, list_id)
        if revision is not None and index.revisions().get(list_id) == revision:
            return
        stored = await plates_repository.load(self._rec.db, list_id)
        if stored is None:
            index.drop_list(list_id)
        else:
            index.put_list(stored)

    async def run_reloads(self) -> None:
        await self.reloads.run(self.reload)

    async def check(self) -> None:
        """Ask for every loaded index's lists whose stored revision moved, new or gone."""
        rec = self._rec
        if rec.watchlists.loaded:
            stored = await watchlists_repository.revisions(rec.db)
            changed = stale(rec.watchlists.revisions(), stored)
            self.reloads.ask((ListKind.WATCHLIST, list_id) for list_id in changed)
        if rec.plates.loaded:
            stored = await plates_repository.revisions(rec.db)
            changed = stale(rec.plates.revisions(), stored)
            self.reloads.ask((ListKind.PLATES, list_id) for list_id in changed)

    async def check_forever(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.check()
            except Exception:  # the next round tries again; doorbells still reload lists
                logger.exception("could not compare the recognition lists' revisions")
