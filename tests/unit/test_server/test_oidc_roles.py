"""The group → role map of single sign-on (server/oidc/roles.py) and its check at start."""

from __future__ import annotations

import pytest

from server.auth.schemas import EVERYWHERE, Role, Scope
from server.oidc.client import SingleSignOn
from server.oidc.roles import Granted, RoleMapError, RoleRule, granted, parse_role_map
from server.settings import Settings, SettingsError


def test_rules_are_read_in_order_with_their_districts() -> None:
    rules = parse_role_map(
        " ops-dispatch=dispatcher, north-desk = dispatcher:North| Centre ,it=admin"
    )
    assert rules == (
        RoleRule("ops-dispatch", Role.DISPATCHER),
        RoleRule("north-desk", Role.DISPATCHER, Scope(districts=frozenset({"North", "Centre"}))),
        RoleRule("it", Role.ADMIN),
    )


def test_an_empty_map_has_no_rules() -> None:
    assert parse_role_map("") == ()
    assert parse_role_map(" , ") == ()


def test_the_first_matching_rule_wins() -> None:
    rules = parse_role_map("north-desk=dispatcher:North,it=admin,ops-dispatch=dispatcher")
    assert granted(rules, ["ops-dispatch", "it"]) == Granted("it", Role.ADMIN, EVERYWHERE)
    assert granted(rules, ["it", "north-desk"]) == Granted(
        "north-desk", Role.DISPATCHER, Scope(districts=frozenset({"North"}))
    )


def test_no_mapped_group_gets_nothing() -> None:
    rules = parse_role_map("ops-dispatch=dispatcher")
    assert granted(rules, ["cleaners", "Ops-Dispatch"]) is None  # group names are exact
    assert granted(rules, []) is None
    assert granted((), ["ops-dispatch"]) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ops-dispatch", "is not group=role"),
        ("=dispatcher", "is not group=role"),
        ("ops=sheriff", "'sheriff' is not a role a person can have"),
        ("ops=camera", "'camera' is a role for devices and tablets"),
        ("ops=crew", "'crew' is a role for devices and tablets"),
        ("ops=dispatcher:", "name the districts after the colon"),
        ("ops=dispatcher: |", "name the districts after the colon"),
    ],
)
def test_a_rule_that_cannot_be_read_is_named(text: str, says: str) -> None:
    with pytest.raises(RoleMapError, match=says) as caught:
        parse_role_map(f"it=admin,{text}")
    assert repr(text) in str(caught.value)


def test_a_bad_map_stops_the_start_naming_the_setting() -> None:
    settings = Settings(
        oidc_issuer="https://id.city.example", oidc_client_id="posbon", oidc_role_map="ops=sheriff"
    )
    with pytest.raises(SettingsError, match=r"--oidc-role-map / POSBON_OIDC_ROLE_MAP .*sheriff"):
        SingleSignOn(settings)


def test_an_issuer_without_a_client_id_stops_the_start() -> None:
    with pytest.raises(SettingsError, match="--oidc-client-id / POSBON_OIDC_CLIENT_ID is empty"):
        SingleSignOn(Settings(oidc_issuer="https://id.city.example"))


def test_without_an_issuer_single_sign_on_is_off() -> None:
    assert not SingleSignOn(Settings()).enabled
    assert SingleSignOn(Settings(oidc_issuer="https://id.example", oidc_client_id="p")).enabled
