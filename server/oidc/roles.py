"""Which role (and which districts) a person signed in through the city's identity provider gets.

The `oidc_role_map` setting lists rules, `group=role[:District|District]`, separated by commas:
`ops-dispatch=dispatcher,north-desk=dispatcher:North|Centre,it-admins=admin`. The first rule
whose group the person is in decides, in the order written; no matching rule means no access.
Pure: parsed once at start (a bad map stops the start, naming the rule), applied per sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import msgspec

from server.auth.schemas import EVERYWHERE, Role, Scope

PERSON_ROLES: Final = frozenset({Role.ADMIN, Role.DISPATCHER})
"""Roles a person may be given by a group: the others belong to devices, cameras, stations and
crews' tablets, which sign in with their own tokens."""


class RoleMapError(ValueError):
    """The `oidc_role_map` setting cannot be read; the message names the rule and why."""


class RoleRule(msgspec.Struct, frozen=True):
    group: str
    role: Role
    scope: Scope = EVERYWHERE


class Granted(msgspec.Struct, frozen=True):
    """What a sign-in gets: the role and scope, and the group that gave them."""

    group: str
    role: Role
    scope: Scope


def parse_role_map(text: str) -> tuple[RoleRule, ...]:
    """The rules of `text`, in order; raises RoleMapError for a rule that cannot be read."""
    return tuple(_rule(part.strip()) for part in text.split(",") if part.strip())


def _rule(text: str) -> RoleRule:
    group, equals, grant = text.partition("=")
    group = group.strip()
    if not equals or not group:
        raise RoleMapError(f"{text!r} is not group=role")
    role_name, colon, districts_text = grant.partition(":")
    role_name = role_name.strip()
    try:
        role = Role(role_name)
    except ValueError:
        raise RoleMapError(
            f"{text!r}: {role_name!r} is not a role a person can have "
            f"({', '.join(sorted(PERSON_ROLES))})"
        ) from None
    if role not in PERSON_ROLES:
        raise RoleMapError(
            f"{text!r}: {role_name!r} is a role for devices and tablets, not for a person "
            f"({', '.join(sorted(PERSON_ROLES))})"
        )
    if not colon:
        return RoleRule(group, role)
    districts = frozenset(name.strip() for name in districts_text.split("|") if name.strip())
    if not districts:
        raise RoleMapError(f"{text!r}: name the districts after the colon, e.g. North|Centre")
    return RoleRule(group, role, Scope(districts=districts))


def granted(rules: Iterable[RoleRule], groups: Iterable[str]) -> Granted | None:
    """The first rule whose group is among `groups`, or None: the person gets no access."""
    member_of = frozenset(groups)
    for rule in rules:
        if rule.group in member_of:
            return Granted(rule.group, rule.role, rule.scope)
    return None
