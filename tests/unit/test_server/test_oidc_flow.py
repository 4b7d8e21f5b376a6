"""A sign-in's state between its two requests (server/oidc/flow.py): the sealed cookie."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from server.oidc import flow
from server.oidc.flow import FlowError

KEY = flow.flow_key("the client secret", b"unused")
NOW_S = 1_800_000_000.0
CALLBACK = "https://posbon.city.example/auth/oidc/callback"


def _pending() -> flow.Pending:
    return flow.start(CALLBACK, NOW_S)


def test_the_authorization_url_carries_an_s256_challenge_state_and_nonce() -> None:
    pending = _pending()
    url = flow.authorization_url("https://id.example/auth?tenant=7", "posbon", pending)
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    digest = hashlib.sha256(pending.verifier.encode()).digest()
    assert parts.path == "/auth"
    assert query == {
        "tenant": "7",
        "response_type": "code",
        "client_id": "posbon",
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }


def test_each_flow_is_new() -> None:
    first, second = _pending(), _pending()
    assert len({first.state, first.nonce, first.verifier, second.state, second.verifier}) == 5
    assert len(first.verifier) >= 43  # RFC 7636: 43 to 128 characters


def test_a_sealed_flow_comes_back_for_its_state() -> None:
    pending = _pending()
    cookie = flow.seal(pending, KEY)
    assert flow.unseal(cookie, KEY, state=pending.state, now_s=NOW_S + 599) == pending


def test_every_node_with_the_same_secret_can_finish_it() -> None:
    pending = _pending()
    other_node = flow.flow_key("the client secret", b"another random fallback")
    assert flow.unseal(flow.seal(pending, KEY), other_node, state=pending.state, now_s=NOW_S)


def test_a_public_client_uses_the_fallback_key() -> None:
    assert flow.flow_key("", b"random") == b"random"
    assert flow.flow_key("a", b"random") != flow.flow_key("b", b"random")


def test_another_state_is_refused() -> None:
    pending = _pending()
    with pytest.raises(FlowError, match="changed on the way"):
        flow.unseal(flow.seal(pending, KEY), KEY, state=pending.state + "x", now_s=NOW_S)


def test_an_edited_cookie_is_refused() -> None:
    pending = _pending()
    body, _, mac = flow.seal(pending, KEY).partition(".")
    forged = flow.seal(flow.start(CALLBACK, NOW_S), KEY).partition(".")[0]
    with pytest.raises(FlowError, match="changed on the way"):
        flow.unseal(f"{forged}.{mac}", KEY, state=pending.state, now_s=NOW_S)
    with pytest.raises(FlowError, match="changed on the way"):
        flow.unseal(flow.seal(pending, b"another key"), KEY, state=pending.state, now_s=NOW_S)
    with pytest.raises(FlowError, match="changed on the way"):
        flow.unseal(f"{body}.@@@", KEY, state=pending.state, now_s=NOW_S)


@pytest.mark.parametrize("cookie", [None, ""])
def test_no_cookie_is_refused(cookie: str | None) -> None:
    with pytest.raises(FlowError, match="No sign-in was started"):
        flow.unseal(cookie, KEY, state="s", now_s=NOW_S)


@pytest.mark.parametrize("age_s", [flow.FLOW_LIFETIME_S + 1, -5.0])
def test_a_stale_flow_is_refused(age_s: float) -> None:
    pending = _pending()
    with pytest.raises(FlowError, match="took too long"):
        flow.unseal(flow.seal(pending, KEY), KEY, state=pending.state, now_s=NOW_S + age_s)
