"""The plate lists in memory, matched from the recognition thread.

Lists are small next to watchlists and change rarely, so a change rebuilds that list and swaps a
new dictionary in (copy on write): the recognition thread always reads a consistent snapshot and
needs no lock. Each list keeps the revision it was loaded at, which every node compares with the
stored one (server.recognition.lists).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import msgspec

from recognition.plate_format import PlateList as Matcher
from recognition.plate_format import PlateText
from server.plates.schemas import PlateListKind

CHANGED_PREFIX: Final = "recognition-list:plates:"
"""The doorbell a committed change of a plate list rings: the prefix, then the list's id."""


def changed_signal(list_id: int) -> str:
    return f"{CHANGED_PREFIX}{list_id}"


class StoredPlateList(msgspec.Struct, frozen=True):
    id: int
    name: str
    kind: PlateListKind
    site_id: int | None
    plates: list[str]
    not_matches: list[tuple[str, str]] = msgspec.field(default_factory=list)
    """(entry, reading) pairs a reviewer said are different cars: never a match by edits or
    uncertainty (recognition.plate_format.PlateList)."""
    revision: int = 0
    """The list's revision when it was read: read before its entries, so they are at least as
    new as it says (migration 0029)."""


class ListedPlate(msgspec.Struct, frozen=True, kw_only=True):
    list_id: int
    list: str
    kind: PlateListKind
    plate: str  # the entry as it was written
    distance: int  # edits between the reading and the entry


class _Entry:
    def __init__(self, stored: StoredPlateList) -> None:
        self.stored = stored
        self.matcher = Matcher(stored.plates, stored.not_matches)


class PlateIndex:
    def __init__(self) -> None:
        self._lists: dict[int, _Entry] = {}
        self.loaded = False
        self.generation = 0  # counts changes, so a load that raced with one is redone

    def replace_all(self, stored: Iterable[StoredPlateList]) -> None:
        self._lists = {s.id: _Entry(s) for s in stored}
        self.loaded = True

    def put_list(self, stored: StoredPlateList) -> None:
        self.generation += 1
        self._lists = {**self._lists, stored.id: _Entry(stored)}

    def drop_list(self, list_id: int) -> None:
        self.generation += 1
        self._lists = {k: v for k, v in self._lists.items() if k != list_id}

    def revisions(self) -> dict[int, int]:
        """Each loaded list's revision, by id."""
        return {list_id: entry.stored.revision for list_id, entry in self._lists.items()}

    def has_own_list(self, site_id: int | None) -> bool:
        lists = self._lists
        return site_id is not None and any(
            e.stored.kind is PlateListKind.OWN and e.stored.site_id == site_id
            for e in lists.values()
        )

    def possible(
        self, plate: PlateText, kind: PlateListKind, site_id: int | None
    ) -> ListedPlate | None:
        """An entry on a list of ``kind`` that applies at ``site_id`` which the read equals on
        every position it is sure of (``PlateList.possible``): the read may well be that plate."""
        for entry in self._lists.values():
            stored = entry.stored
            if stored.kind is not kind or stored.site_id not in (None, site_id):
                continue
            found = entry.matcher.possible(plate)
            if found is not None:
                return ListedPlate(
                    list_id=stored.id,
                    list=stored.name,
                    kind=kind,
                    plate=found.plate,
                    distance=found.distance,
                )
        return None

    def find(
        self,
        text: str,
        kind: PlateListKind,
        site_id: int | None,
        max_edits: int,
        *,
        every_site: bool = False,
    ) -> ListedPlate | None:
        """The closest entry on a list of ``kind`` that applies at ``site_id``: lists without a
        site apply everywhere; ``every_site`` searches all lists (a direct query)."""
        best: ListedPlate | None = None
        for entry in self._lists.values():  # one snapshot: the dict is swapped, never mutated
            stored = entry.stored
            applies = every_site or stored.site_id is None or stored.site_id == site_id
            if stored.kind is not kind or not applies:
                continue
            found = entry.matcher.match(text, max_edits)
            if found is not None and (best is None or found.distance < best.distance):
                best = ListedPlate(
                    list_id=stored.id,
                    list=stored.name,
                    kind=kind,
                    plate=found.plate,
                    distance=found.distance,
                )
        return best
