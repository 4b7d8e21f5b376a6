import itertools

import pytest

from server.incidents.lifecycle import (
    CLOSED,
    CREW_STATUS_FOR,
    TRANSITIONS,
    can_dispatch,
    can_move,
)
from sync.lattices import IncidentStatus

ORDER = [
    IncidentStatus.NEW,
    IncidentStatus.DISPATCHED,
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.EN_ROUTE,
    IncidentStatus.ON_SCENE,
    IncidentStatus.RESOLVED,
]


def test_the_happy_path_is_allowed_step_by_step() -> None:
    for current, target in itertools.pairwise(ORDER):
        assert can_move(current, target), (current, target)


@pytest.mark.parametrize("current", ORDER[1:])
def test_nothing_moves_backwards(current: IncidentStatus) -> None:
    for earlier in ORDER[: ORDER.index(current)]:
        assert not can_move(current, earlier)


def test_closed_incidents_are_final() -> None:
    for status in CLOSED:
        assert TRANSITIONS[status] == frozenset()
        assert not can_dispatch(status)


def test_any_open_state_can_be_closed_in_each_of_the_three_ways() -> None:
    for status in ORDER[:-1]:
        assert can_move(status, IncidentStatus.RESOLVED), status
        assert can_move(status, IncidentStatus.CANCELLED), status
        assert can_move(status, IncidentStatus.FALSE_ALARM), status


def test_a_crew_on_scene_is_not_redispatched() -> None:
    assert not can_dispatch(IncidentStatus.ON_SCENE)
    assert can_dispatch(IncidentStatus.EN_ROUTE)


def test_every_status_but_new_says_what_the_crew_is_doing() -> None:
    assert set(CREW_STATUS_FOR) == set(IncidentStatus) - {IncidentStatus.NEW}
