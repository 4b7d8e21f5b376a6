"""The zone walk test `posbon panel send --test-sequence` runs: one event per zone, in order."""

from __future__ import annotations

import pytest

from device_gateway.protocols.dc09.sender import walk_test_events


def test_a_range_of_zones_gives_one_burglary_per_zone() -> None:
    events = walk_test_events("1234", "zones=1-10")
    assert [event.zone for event in events] == list(range(1, 11))
    assert {(event.code, event.qualifier, event.account) for event in events} == {
        ("130", "1", "1234")
    }


def test_zones_may_be_listed_and_the_code_and_qualifier_chosen() -> None:
    events = walk_test_events("1234", "code=110 zones=1,3,5-6 qualifier=3", partition=2)
    assert [(e.zone, e.code, e.qualifier, e.partition) for e in events] == [
        (1, "110", "3", 2),
        (3, "110", "3", 2),
        (5, "110", "3", 2),
        (6, "110", "3", 2),
    ]
    assert events[0].data() == "#1234|3110 02 001"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("code=130", "needs zones"),
        ("zones=10-1", "backwards"),
        ("zones=a", "not a zone"),
        ("zone=1", "expected zones"),
        ("zones=1 code=1x0", "code must be"),
    ],
)
def test_a_wrong_sequence_is_refused_with_the_reason(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        walk_test_events("1234", spec)
