"""The one ChainLog behind the timeline and the custody log: hashes stored before it still
hold, and verification names the first link that does not."""

from __future__ import annotations

import msgspec
import pytest

from server.chain_log import ChainLog, ChainSpec
from server.custody import repository as custody
from server.custody.schemas import CustodyEntry, CustodyFacts
from server.incidents import timeline
from server.incidents.schemas import TimelineEntry
from tests.unit.test_server.chain_support import (
    CUSTODY,
    CUSTODY_HASHES,
    INCIDENT_ID,
    RECORDING_ID,
    TIMELINE,
    TIMELINE_HASHES,
    prev_hashes,
)


def _timeline() -> list[TimelineEntry]:
    links = zip(TIMELINE, prev_hashes(TIMELINE_HASHES), TIMELINE_HASHES, strict=True)
    return [
        TimelineEntry(id=n, prev_hash=prev, hash=digest, **msgspec.structs.asdict(facts))
        for n, (facts, prev, digest) in enumerate(links, 1)
    ]


def _custody() -> list[CustodyEntry]:
    links = zip(CUSTODY, prev_hashes(CUSTODY_HASHES), CUSTODY_HASHES, strict=True)
    return [
        CustodyEntry(id=n, prev_hash=prev, hash=digest, **msgspec.structs.asdict(facts))
        for n, (facts, prev, digest) in enumerate(links, 1)
    ]


def test_links_are_hashed_as_before_the_logs_shared_one_chain() -> None:
    incident = zip(TIMELINE, prev_hashes(TIMELINE_HASHES), TIMELINE_HASHES, strict=True)
    for entry_facts, prev, digest in incident:
        assert timeline.CHAIN.link(prev, entry_facts) == digest
    recording = zip(CUSTODY, prev_hashes(CUSTODY_HASHES), CUSTODY_HASHES, strict=True)
    for custody_facts, prev, digest in recording:
        assert custody.CHAIN.link(prev, custody_facts) == digest


def test_chains_stored_before_still_verify() -> None:
    assert timeline.verify(INCIDENT_ID, _timeline()).intact
    assert custody.verify(RECORDING_ID, _custody()).intact


def test_an_edited_entry_is_the_first_bad_one() -> None:
    chain = _custody()
    chain[1] = msgspec.structs.replace(chain[1], reason="nothing to see")
    check = custody.verify(RECORDING_ID, chain)
    assert not check.intact
    assert check.first_bad_entry_id == 2
    assert check.problem is not None


def test_a_removed_or_reordered_entry_breaks_the_next_link() -> None:
    chain = _timeline()
    assert timeline.verify(INCIDENT_ID, [chain[0], chain[2]]).first_bad_entry_id == 3
    assert timeline.verify(INCIDENT_ID, [chain[1], chain[0]]).first_bad_entry_id == 2


def test_a_spec_whose_key_is_no_fact_is_refused() -> None:
    with pytest.raises(TypeError, match="incident_id"):
        ChainLog(ChainSpec(table="custody", key="incident_id"), CustodyFacts, CustodyEntry)


def test_an_entry_type_without_the_facts_is_refused() -> None:
    with pytest.raises(TypeError, match="reason"):
        ChainLog(ChainSpec(table="custody", key="recording_id"), CustodyFacts, TimelineEntry)
