"""The transport settings, the HSTS hook and `posbon token list`'s table, without a socket."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

import pytest

from server.auth.schemas import Role, Scope, TokenKind, TokenOut
from server.auth.token_table import token_table
from server.auth.transport import https_context, scope_is_https, strict_transport, trusted_proxies
from server.settings import Settings, SettingsError, load
from server.settings_flags import add_arguments


def _load(*argv: str) -> Settings:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return load(parser.parse_args(list(argv)), environ={})


@pytest.mark.parametrize(
    ("flags", "missing"),
    [(["--tls-cert", "c.pem"], "--tls-key"), (["--tls-key", "k.pem"], "--tls-cert")],
)
def test_half_a_tls_pair_is_refused_naming_the_other_half(flags: list[str], missing: str) -> None:
    with pytest.raises(SettingsError, match=f"^{missing} / POSBON_TLS_"):
        _load(*flags)


def test_an_unreadable_pair_is_refused_naming_both_settings(tmp_path: Any) -> None:
    settings = _load("--tls-cert", str(tmp_path / "c.pem"), "--tls-key", str(tmp_path / "k.pem"))
    with pytest.raises(SettingsError, match="--tls-cert / POSBON_TLS_CERT and --tls-key"):
        https_context(settings)
    assert https_context(_load()) is None  # no certificate: plain HTTP


def test_forwarded_allow_takes_addresses_and_networks_only() -> None:
    settings = _load("--forwarded-allow", " 127.0.0.1, 10.0.0.0/8,::1 ")
    assert trusted_proxies(settings) == ["127.0.0.1", "10.0.0.0/8", "::1"]
    assert trusted_proxies(_load()) == []
    with pytest.raises(SettingsError, match=r"'nginx\.local'; set it to the proxies' IP"):
        _load("--forwarded-allow", "127.0.0.1,nginx.local")


def _start(message_headers: list[tuple[bytes, bytes]]) -> Any:
    return {"type": "http.response.start", "status": 200, "headers": message_headers}


@pytest.mark.parametrize(("scheme", "sent"), [("https", True), ("wss", True), ("http", False)])
def test_hsts_goes_only_on_answers_over_tls(scheme: str, sent: bool) -> None:
    hook = strict_transport(600)
    message = _start([(b"content-type", b"text/plain")])
    hook(message, {"type": "http", "scheme": scheme})  # type: ignore[arg-type]
    expected = [(b"strict-transport-security", b"max-age=600")] if sent else []
    assert message["headers"] == [(b"content-type", b"text/plain"), *expected]
    assert scope_is_https({"scheme": scheme}) is sent  # type: ignore[arg-type]


def test_hsts_replaces_a_header_already_there_and_skips_bodies() -> None:
    hook = strict_transport(60)
    message = _start([(b"strict-transport-security", b"max-age=1")])
    hook(message, {"type": "http", "scheme": "https"})  # type: ignore[arg-type]
    assert message["headers"] == [(b"strict-transport-security", b"max-age=60")]
    body = {"type": "http.response.body", "body": b""}
    hook(body, {"type": "http", "scheme": "https"})  # type: ignore[arg-type]
    assert body == {"type": "http.response.body", "body": b""}


def test_the_token_table_lines_up_and_names_scope_and_last_use() -> None:
    used = dt.datetime(2026, 12, 7, 21, 30, 5, tzinfo=dt.UTC)
    tokens = [
        TokenOut(id=1, name="ops", role=Role.ADMIN, crew_id=None, revoked=False, created_at=used),
        TokenOut(
            id=12,
            name="north-desk",
            role=Role.DISPATCHER,
            crew_id=None,
            revoked=True,
            created_at=used,
            kind=TokenKind.SESSION,
            scope=Scope(districts=frozenset({"South", "North"}), cameras=frozenset({3})),
            last_used_at=used,
        ),
    ]
    lines = token_table(tokens).splitlines()
    assert [re.split(r"\s{2,}", line) for line in lines] == [
        ["ID", "NAME", "ROLE", "KIND", "SCOPE", "LAST USED", "REVOKED"],
        ["1", "ops", "admin", "token", "everywhere", "never", "no"],
        [
            "12",
            "north-desk",
            "dispatcher",
            "session",
            "districts=North|South cameras=3",
            "2026-12-07 21:30:05Z",
            "yes",
        ],
    ]
    column = lines[0].index("LAST USED")
    assert lines[1].index("never") == lines[2].index("2026-") == column
