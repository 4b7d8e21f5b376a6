"""Which lists a doorbell or the revision check reloads, and how often (server.recognition.lists):
pure, no database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import numpy as np
import pytest

from server.plates.index import PlateIndex, StoredPlateList
from server.plates.index import changed_signal as plates_signal
from server.plates.schemas import PlateListKind
from server.recognition.lists import ListKind, Reloads, rung, stale
from server.watchlists.index import StoredPhoto, StoredWatchlist, WatchlistIndex, to_bytes
from server.watchlists.index import changed_signal as watchlist_signal


def test_a_doorbell_names_watchlists_and_plate_lists_by_id() -> None:
    names = {
        watchlist_signal(3),
        plates_signal(3),
        plates_signal(12),
        "dispatch",
        "token-revoked:3",
    }
    assert rung(names) == {
        (ListKind.WATCHLIST, 3),
        (ListKind.PLATES, 3),
        (ListKind.PLATES, 12),
    }


def test_a_name_with_no_id_after_the_prefix_is_not_a_list() -> None:
    assert rung({"recognition-list:plates:", "recognition-list:watchlist:x1"}) == set()


def test_the_check_reloads_the_lists_whose_revision_moved_and_no_others() -> None:
    assert stale({1: 4, 2: 7}, {1: 4, 2: 8}) == {2}


def test_the_check_loads_a_new_list_and_drops_a_gone_one() -> None:
    assert stale({1: 0, 2: 0}, {2: 0, 3: 0}) == {1, 3}


def test_a_list_built_on_this_node_is_reloaded_once_from_the_database() -> None:
    index = WatchlistIndex()
    index.replace_all([])
    index.put_watchlist(5, "new", 0.5)  # created here: its revision is not known
    assert stale(index.revisions(), {5: 0}) == {5}


class _Blocking:
    """A reload that holds until released, recording what it reloaded."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = asyncio.Event()
        self.began = asyncio.Event()

    async def __call__(self, key: str) -> None:
        self.started.append(key)
        self.began.set()
        await self.release.wait()


@contextlib.asynccontextmanager
async def _running(reloads: Reloads[str], reload: _Blocking) -> AsyncIterator[None]:
    task = asyncio.create_task(reloads.run(reload))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _settled() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_rings_for_a_list_being_reloaded_make_one_more_reload_not_one_each() -> None:
    reloads: Reloads[str] = Reloads()
    reload = _Blocking()
    async with _running(reloads, reload):
        reloads.ask(["a"])
        await reload.began.wait()
        for _ in range(5):
            reloads.ask(["a"])
        reload.release.set()
        await _settled()
        assert reload.started == ["a", "a"]
        reloads.ask(["a"])
        await _settled()
        assert reload.started == ["a", "a", "a"]


async def test_every_list_asked_for_is_reloaded_once() -> None:
    reloads: Reloads[str] = Reloads()
    reload = _Blocking()
    reload.release.set()
    async with _running(reloads, reload):
        reloads.ask(["a", "b", "a"])
        reloads.ask(["b", "c"])
        await _settled()
    assert sorted(reload.started) == ["a", "b", "c"]


async def test_a_failed_reload_is_logged_and_the_next_list_still_reloads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reloaded: list[str] = []

    async def reload(key: str) -> None:
        if key == "broken":
            raise OSError("database away")
        reloaded.append(key)

    reloads: Reloads[str] = Reloads()
    task = asyncio.create_task(reloads.run(reload))
    with caplog.at_level(logging.ERROR, logger="server.recognition.lists"):
        reloads.ask(["broken"])
        await _settled()
        reloads.ask(["fine"])
        await _settled()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert reloaded == ["fine"]
    assert "could not reload recognition list broken" in caplog.text


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_one_watchlist_replaced_matches_its_new_photos_and_keeps_the_others() -> None:
    index = WatchlistIndex()
    ali = StoredPhoto(10, "Ali", False, to_bytes(_unit(1)))
    index.replace_all([StoredWatchlist(1, "wanted", 0.5, [ali], revision=2)])
    index.put_stored(StoredWatchlist(2, "missing", 0.5, [], revision=0))
    vali = StoredPhoto(20, "Vali", False, to_bytes(_unit(2)))
    before = index.generation
    index.put_stored(StoredWatchlist(2, "missing", 0.5, [vali], revision=1))
    hits = index.match(np.stack([_unit(1), _unit(2)]))
    assert [(h.watchlist, h.person) for h in hits if h is not None] == [
        ("wanted", "Ali"),
        ("missing", "Vali"),
    ]
    assert index.revisions() == {1: 2, 2: 1}
    assert index.generation > before  # a first load racing with it reads again


def test_a_plate_list_keeps_the_revision_it_was_loaded_at() -> None:
    index = PlateIndex()
    index.replace_all([StoredPlateList(1, "stolen", PlateListKind.WANTED, None, [], revision=4)])
    index.put_list(StoredPlateList(2, "own", PlateListKind.OWN, 7, ["01A123BC"], revision=9))
    assert index.revisions() == {1: 4, 2: 9}
    index.drop_list(1)
    assert index.revisions() == {2: 9}
