"""The bookkeeping of one OpenID Connect sign-in between its two requests, sans-I/O.

`GET /auth/oidc/login` starts a `Pending` flow: a random state (binds the provider's answer to
this browser), nonce (binds the ID token to this flow) and PKCE code verifier. The flow goes to
the browser as a short-lived HttpOnly cookie, sealed with an HMAC whose key comes from the
client secret every node of a cluster shares, so whichever node the callback reaches can finish
the sign-in, and nothing is kept server-side. The cookie holds the verifier in the clear: it is
only good together with a code the provider issues to this client's redirect URI, and only the
browser that started the flow has the cookie (HttpOnly, scoped to /auth/oidc).

`GET /auth/oidc/callback` unseals it: a forged or edited cookie, one older than
`FLOW_LIFETIME_S`, or a state in the query that is not the cookie's is refused (`FlowError`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Final
from urllib.parse import urlencode

import msgspec
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]

FLOW_LIFETIME_S: Final = 600.0
"""How long a person has at the identity provider before the sign-in must start again."""
FLOW_COOKIE: Final = "posbon_oidc_flow"
FLOW_COOKIE_PATH: Final = "/auth/oidc"
RANDOM_BYTES: Final = 32
SCOPE: Final = "openid profile"
"""Standard scopes only: a provider puts the groups claim into the ID token or userinfo by its
own mapping (Keycloak's group mapper, Entra ID's groups claim), not by a scope of a fixed name."""
_KEY_LABEL: Final = b"posbon oidc flow cookie\x00"


class FlowError(ValueError):
    """The callback does not belong to a flow this browser started here (or it expired); the
    message is the sentence the person reads (server/messages: `oidc_bad_state`)."""


NOT_STARTED: Final = (
    "No sign-in was started in this browser (or its cookie was blocked); start it again from "
    "the sign-in page."
)
NOT_OURS: Final = (
    "This sign-in was not started here, or it was changed on the way; start it again from the "
    "sign-in page."
)
TOO_LATE: Final = "The sign-in took too long; start it again from the sign-in page."


class Pending(msgspec.Struct, frozen=True):
    state: str
    nonce: str
    verifier: str
    redirect_uri: str
    started_s: float


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Pending).decode


def flow_key(client_secret: str, fallback: bytes) -> bytes:
    """The cookie's HMAC key: derived from the client secret (the same on every node), or
    `fallback` (one node's random key) for a public client without one."""
    if not client_secret:
        return fallback
    return hashlib.sha256(_KEY_LABEL + client_secret.encode()).digest()


def start(
    redirect_uri: str,
    now_s: float,
    token: Callable[[int], str] = secrets.token_urlsafe,
) -> Pending:
    return Pending(
        state=token(RANDOM_BYTES),
        nonce=token(RANDOM_BYTES),
        verifier=token(RANDOM_BYTES),
        redirect_uri=redirect_uri,
        started_s=now_s,
    )


def authorization_url(endpoint: str, client_id: str, pending: Pending) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": pending.redirect_uri,
        "scope": SCOPE,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": create_s256_code_challenge(pending.verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode(query)


def seal(pending: Pending, key: bytes) -> str:
    body = _encode(pending)
    return _b64(body) + "." + _b64(_mac(key, body))


def unseal(cookie: str | None, key: bytes, *, state: str, now_s: float) -> Pending:
    """The flow of `cookie` if it is ours, fresh, and its state is `state`."""
    if not cookie:
        raise FlowError(NOT_STARTED)
    body_text, _, mac_text = cookie.partition(".")
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except ValueError:
        raise FlowError(NOT_OURS) from None
    if not hmac.compare_digest(mac, _mac(key, body)):
        raise FlowError(NOT_OURS)
    pending = _decode(body)
    if not 0 <= now_s - pending.started_s <= FLOW_LIFETIME_S:
        raise FlowError(TOO_LATE)
    if not hmac.compare_digest(pending.state.encode(), state.encode()):
        raise FlowError(NOT_OURS)
    return pending


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        padded = (text + "=" * (-len(text) % 4)).encode("ascii")
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except (ValueError, UnicodeEncodeError) as err:
        raise ValueError("not base64url") from err
