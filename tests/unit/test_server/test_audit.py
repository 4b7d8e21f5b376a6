"""The audit log's pure parts: action names, secrets kept out, and the chain check on entries
made here (no database)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from server.audit import repository
from server.audit.log import ACTION, REDACTED, without_secrets
from server.audit.schemas import AuditEntry, AuditFacts, AuditHead
from server.audit.verify import Checker
from server.chain import GENESIS_HASH

AT = dt.datetime(2026, 12, 15, 9, 0, tzinfo=dt.UTC)


def _facts(n: int) -> AuditFacts:
    return AuditFacts(
        at=AT + dt.timedelta(seconds=n),
        actor="admin:desk",
        actor_token_id=1,
        user_id=None,
        role="admin",
        action="site.update",
        target=f"site:{n}",
        outcome="ok",
        address="127.0.0.1",
        before='{"name":"a"}',
        after='{"name":"b"}',
        detail="",
    )


def _chain(count: int, first_id: int = 1, prev_hash: str = GENESIS_HASH) -> list[AuditEntry]:
    entries = []
    for n in range(count):
        facts = _facts(n)
        digest = repository.link(prev_hash, facts)
        entries.append(
            AuditEntry(
                id=first_id + n, prev_hash=prev_hash, hash=digest, **msgspec.structs.asdict(facts)
            )
        )
        prev_hash = digest
    return entries


def _head(entries: list[AuditEntry], anchor: AuditEntry | None = None) -> AuditHead:
    return AuditHead(
        last_id=entries[-1].id,
        last_hash=entries[-1].hash,
        entries=len(entries),
        anchor_id=0 if anchor is None else anchor.id,
        anchor_hash=GENESIS_HASH if anchor is None else anchor.hash,
    )


def _check(head: AuditHead, entries: list[AuditEntry]) -> tuple[int | None, str]:
    checker = Checker(head)
    for entry in entries:
        if not checker.feed(entry):
            break
    result = checker.result()
    assert result.intact is (result.first_bad_entry_id is None)
    return result.first_bad_entry_id, result.problem


@pytest.mark.parametrize("name", ["site.update", "export.audit", "face_crop.view", "a.b.c"])
def test_dotted_lowercase_actions_are_accepted(name: str) -> None:
    assert ACTION.match(name)


@pytest.mark.parametrize("name", ["site", "Site.update", "site.", ".update", "site update"])
def test_other_action_names_are_refused(name: str) -> None:
    assert not ACTION.match(name)


def test_secrets_are_redacted_wherever_they_are_and_flags_stay() -> None:
    value = {
        "key": "00ff",
        "has_key": True,
        "key_format": "hex",
        "items": [{"password": "x", "name": "n"}, {"totp_secret": "s", "api_token": "t"}],
        "empty_key": "",
    }
    assert without_secrets(value) == {
        "key": REDACTED,
        "has_key": True,
        "key_format": "hex",
        "items": [
            {"password": REDACTED, "name": "n"},
            {"totp_secret": REDACTED, "api_token": REDACTED},
        ],
        "empty_key": "",
    }


def test_an_intact_chain_holds() -> None:
    entries = _chain(5)
    assert _check(_head(entries), entries) == (None, "")


def test_an_empty_log_with_an_empty_head_holds() -> None:
    assert _check(AuditHead(), []) == (None, "")


def test_an_edited_entry_is_named() -> None:
    entries = _chain(5)
    entries[2] = msgspec.structs.replace(entries[2], after='{"name":"c"}')
    assert _check(_head(entries), entries) == (
        3,
        "entry 3 was edited or a row before it was removed",
    )


def test_a_removed_entry_names_the_one_after_it() -> None:
    entries = _chain(5)
    head = _head(entries)
    del entries[1]
    assert _check(head, entries)[0] == 3


def test_a_removed_last_entry_is_found_by_the_head() -> None:
    entries = _chain(5)
    head = _head(entries)
    assert _check(head, entries[:-1]) == (
        5,
        "entry 5: the log ends at 4 but its head says 5 — the last row was removed",
    )


def test_a_rewritten_last_entry_with_a_new_hash_is_found_by_the_head() -> None:
    entries = _chain(5)
    head = _head(entries)
    facts = msgspec.structs.replace(_facts(4), after='{"name":"forged"}')
    forged = AuditEntry(
        id=5,
        prev_hash=entries[3].hash,
        hash=repository.link(entries[3].hash, facts),
        **msgspec.structs.asdict(facts),
    )
    assert _check(head, [*entries[:4], forged])[0] == 5


def test_after_retention_the_first_kept_entry_links_to_the_anchor() -> None:
    entries = _chain(6)
    kept = entries[3:]
    anchored = _head(kept, anchor=entries[2])
    assert _check(anchored, kept) == (None, "")
    assert _check(_head(kept), kept)[0] == 4  # without the anchor the first kept one breaks
