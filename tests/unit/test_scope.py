"""The scope conditions (server/auth/scope.py) and `posbon token create`'s scope flags, without a
database: which SQL each scope gives, and that the flags make the scope they say."""

from __future__ import annotations

import argparse

import pytest

from server.auth.cli import add_commands, scope_from
from server.auth.schemas import EVERYWHERE, Role, Scope
from server.auth.scope import (
    ANYTHING,
    NOTHING,
    Condition,
    alert_reach,
    at_sites,
    camera_reach,
    device_reach,
    incident_reach,
    one_of,
    site_reach,
    watchlist_reach,
    where,
    withheld,
)
from server.errors import BadRequest

DISTRICT_A = Scope(districts=frozenset({"Chilonzor", "Almazar"}))
CAMERAS = Scope(cameras=frozenset({7, 3}))


def test_anything_is_the_identity_of_and() -> None:
    other = Condition("x = {}", (1,))
    assert ANYTHING & other == other
    assert other & ANYTHING == other
    assert (other & other).args == (1, 1)
    assert (other & other).sql == "(x = {}) AND (x = {})"


def test_one_of_lists_sorted_parameters_and_nothing_for_an_empty_set() -> None:
    assert one_of("s.district", {"b", "a"}) == Condition("s.district IN ({}, {})", ("a", "b"))
    assert one_of("s.district", set()) == NOTHING


def test_an_unscoped_principal_is_narrowed_by_nothing() -> None:
    for reach in (site_reach, camera_reach, alert_reach, incident_reach, device_reach):
        assert reach(EVERYWHERE) == ANYTHING
    assert watchlist_reach(EVERYWHERE, "w.id") == ANYTHING


def test_a_district_scope_reaches_rows_through_their_site() -> None:
    assert site_reach(DISTRICT_A, "s") == Condition(
        "s.district IN ({}, {})", ("Almazar", "Chilonzor")
    )
    reach = alert_reach(DISTRICT_A, "a")
    assert reach.sql == "a.site_id IN (SELECT z.id FROM sites z WHERE z.district IN ({}, {}))"
    assert reach.args == ("Almazar", "Chilonzor")
    assert device_reach(DISTRICT_A, "d").sql.startswith("d.site IN (SELECT z.id FROM sites z")


def test_a_camera_scope_reaches_recognition_of_its_cameras_and_no_site() -> None:
    assert site_reach(CAMERAS) == NOTHING
    assert device_reach(CAMERAS) == NOTHING
    assert at_sites(CAMERAS, "t.site_id") == NOTHING
    assert camera_reach(CAMERAS, "c") == Condition("c.id IN ({}, {})", (3, 7))
    alerts = alert_reach(CAMERAS, "a")
    assert "recognition_crops" in alerts.sql
    assert alerts.args == (3, 7)
    incidents = incident_reach(CAMERAS, "i")
    assert incidents.sql.startswith("i.id IN (SELECT x.incident_id FROM alerts x WHERE")
    assert incidents.args == (3, 7)


def test_a_scope_of_both_narrows_by_both() -> None:
    both = Scope(districts=frozenset({"Almazar"}), cameras=frozenset({3}))
    reach = camera_reach(both, "c")
    assert reach.args == ("Almazar", 3)
    assert " AND " in reach.sql


def test_where_adds_a_where_or_joins_the_one_there() -> None:
    reach = Condition("a.kind = {}", ("panic",))
    assert where(reach, "SELECT 1 FROM alerts a", (1,)) == (
        "SELECT 1 FROM alerts a WHERE (a.kind = {})",
        [1, "panic"],
    )
    assert where(reach, "SELECT 1 FROM alerts a WHERE a.id = {}", (5,), more=True) == (
        "SELECT 1 FROM alerts a WHERE a.id = {} AND (a.kind = {})",
        [5, "panic"],
    )
    assert where(ANYTHING, "SELECT 1", (2,)) == ("SELECT 1", [2])


def test_a_withheld_event_keeps_only_its_seq() -> None:
    assert withheld(41) == '{"type":"withheld","seq":41,"data":{}}'


def _parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(["token", "create", "--name", "desk", *argv])


def test_the_flags_make_the_scope_they_name() -> None:
    args = _parsed(
        "--role",
        "dispatcher",
        "--district",
        "Almazar",
        "--district",
        " Chilonzor ",
        "--camera",
        "3",
    )
    assert scope_from(args, Role.DISPATCHER) == Scope(
        districts=frozenset({"Almazar", "Chilonzor"}), cameras=frozenset({3})
    )
    assert scope_from(_parsed("--role", "admin"), Role.ADMIN) == EVERYWHERE
    watchlists = scope_from(_parsed("--role", "admin", "--watchlist", "2"), Role.ADMIN)
    assert watchlists == Scope(watchlists=frozenset({2}))


@pytest.mark.parametrize("role", [Role.CREW, Role.UPLOAD_STATION, Role.CAMERA, Role.DEVICE])
def test_only_admin_and_dispatcher_tokens_take_a_scope(role: Role) -> None:
    with pytest.raises(BadRequest) as refused:
        scope_from(_parsed("--role", role.value, "--district", "Almazar"), role)
    assert refused.value.code == "scope_not_allowed"


def test_a_district_needs_a_name() -> None:
    with pytest.raises(BadRequest) as refused:
        scope_from(_parsed("--role", "dispatcher", "--district", " "), Role.DISPATCHER)
    assert refused.value.code == "scope_not_allowed"
