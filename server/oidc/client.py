"""Single sign-on against the city's identity provider: OpenID Connect, authorization code + PKCE.

One `SingleSignOn` per node holds the settings it needs, the parsed group → role rules and, once
fetched, the provider's discovery document and signing keys. Nothing is fetched at start: a node
starts and serves with the provider down; only a sign-in then fails (`ProviderUnavailable`).

The sign-in itself (server/oidc/routes.py):

1. `begin` makes a `Pending` flow (server/oidc/flow.py) and the provider's authorization
   URL with its state, nonce and S256 code challenge;
2. `finish` exchanges the code at the token endpoint (client_secret_basic, or _post when that
   is all the provider takes, with the code verifier), checks the ID token (signature by the
   provider's JWKS, iss, aud, exp, nonce: joserfc, authlib's JOSE library) and reads the groups
   from the `oidc_groups_claim` of the ID token, else of the userinfo answer.

Errors, each a message for the person at the browser:

    OidcError
    ├── ProviderUnavailable   the provider cannot be reached or answered nonsense (its fault)
    └── SignInRefused         the provider refused, or its answer does not check out
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Sequence
from typing import Any, Final, cast
from urllib.parse import quote_plus

import httpx
import msgspec
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from server.oidc import flow
from server.oidc.flow import Pending
from server.oidc.roles import RoleMapError, RoleRule, parse_role_map
from server.settings import Settings, SettingsError, flag_and_variable, redact

PROVIDER_TIMEOUT_S: Final = 10.0
DISCOVERY_PATH: Final = "/.well-known/openid-configuration"
ID_TOKEN_ALGORITHMS: Final = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
"""Asymmetric only: never `none`, and never an HMAC keyed with the client secret."""
CLOCK_LEEWAY_S: Final = 60


class OidcError(Exception):
    pass


class ProviderUnavailable(OidcError):
    pass


class SignInRefused(OidcError):
    pass


class Metadata(msgspec.Struct, frozen=True):
    """The parts of the discovery document Posbon uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    token_endpoint_auth_methods_supported: tuple[str, ...] = ("client_secret_basic",)


class TokenAnswer(msgspec.Struct, frozen=True):
    id_token: str
    access_token: str = ""


class Identity(msgspec.Struct, frozen=True):
    """Who the provider says signed in."""

    username: str
    display_name: str
    groups: tuple[str, ...]


class SingleSignOn:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.groups_claim = settings.oidc_groups_claim
        self.rules: tuple[RoleRule, ...] = _rules(settings)
        if self.issuer and not self.client_id:
            raise SettingsError(
                f"{flag_and_variable('oidc_client_id')} is empty; set it to the client id "
                f"Posbon has at {self.issuer}, or leave {flag_and_variable('oidc_issuer')} empty"
            )
        self.flow_key = flow.flow_key(self.client_secret, secrets.token_bytes(32))
        self._metadata: Metadata | None = None
        self._keys: KeySet | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.issuer)

    async def begin(self, redirect_uri: str) -> tuple[Pending, str]:
        """A new flow and the provider's URL to send the browser to."""
        metadata = await self.metadata()
        pending = flow.start(redirect_uri, time.time())
        url = flow.authorization_url(metadata.authorization_endpoint, self.client_id, pending)
        return pending, url

    async def finish(self, code: str, pending: Pending) -> Identity:
        metadata = await self.metadata()
        async with httpx.AsyncClient(timeout=PROVIDER_TIMEOUT_S) as client:
            answer = await self._exchange(client, metadata, code, pending)
            claims = await self._id_claims(client, metadata, answer.id_token, pending.nonce)
            groups = claims.get(self.groups_claim)
            if groups is None and metadata.userinfo_endpoint and answer.access_token:
                info = await self._userinfo(client, metadata.userinfo_endpoint, answer.access_token)
                if info.get("sub") == claims["sub"]:
                    groups = info.get(self.groups_claim)
        return Identity(
            username=_username(claims),
            display_name=str(claims.get("name") or _username(claims)),
            groups=_group_names(groups),
        )

    async def metadata(self) -> Metadata:
        """The discovery document, fetched on first use and kept."""
        if self._metadata is None:
            async with httpx.AsyncClient(timeout=PROVIDER_TIMEOUT_S) as client:
                body = await _get_json(client, self.issuer + DISCOVERY_PATH)
            try:
                metadata = msgspec.convert(body, Metadata)
            except msgspec.ValidationError as err:
                raise ProviderUnavailable(f"its discovery document is not usable: {err}") from err
            if metadata.issuer.rstrip("/") != self.issuer:
                raise ProviderUnavailable(
                    f"its discovery document names the issuer {metadata.issuer!r}, "
                    f"not {self.issuer!r}"
                )
            self._metadata = metadata
        return self._metadata

    async def _exchange(
        self, client: httpx.AsyncClient, metadata: Metadata, code: str, pending: Pending
    ) -> TokenAnswer:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.verifier,
        }
        fields, headers = self._authentication(metadata.token_endpoint_auth_methods_supported)
        try:
            response = await client.post(
                metadata.token_endpoint, data=form | fields, headers=headers
            )
        except httpx.HTTPError as err:
            raise ProviderUnavailable(f"its token endpoint: {type(err).__name__}") from err
        if response.status_code >= 500:
            raise ProviderUnavailable(f"its token endpoint answered {response.status_code}")
        if response.status_code != 200:
            raise SignInRefused(f"it refused the code ({_error_of(response)})")
        try:
            return msgspec.json.decode(response.content, type=TokenAnswer)
        except msgspec.DecodeError as err:
            raise ProviderUnavailable("its token endpoint gave no ID token") from err

    def _authentication(self, methods: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The form fields and headers that name this client at the token endpoint:
        client_secret_basic unless the provider takes only _post; a public client (no secret)
        just names itself."""
        if not self.client_secret:
            return {"client_id": self.client_id}, {}
        if "client_secret_basic" not in methods and "client_secret_post" in methods:
            return {"client_id": self.client_id, "client_secret": self.client_secret}, {}
        # RFC 6749 2.3.1: each part form-encoded before the Basic scheme's base64.
        pair = f"{quote_plus(self.client_id)}:{quote_plus(self.client_secret)}"
        return {}, {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}

    async def _id_claims(
        self, client: httpx.AsyncClient, metadata: Metadata, id_token: str, nonce: str
    ) -> dict[str, Any]:
        keys = await self._signing_keys(client, metadata, refresh=False)
        try:
            token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
        except JoseError:
            # A key rotated since we fetched the set: fetch it once more.
            keys = await self._signing_keys(client, metadata, refresh=True)
            try:
                token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
            except JoseError as err:
                raise SignInRefused(f"its ID token's signature does not check: {err}") from err
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_S,
            iss={"essential": True, "value": metadata.issuer},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as err:
            raise SignInRefused(f"its ID token does not check: {err}") from err
        return token.claims

    async def _signing_keys(
        self, client: httpx.AsyncClient, metadata: Metadata, *, refresh: bool
    ) -> KeySet:
        if self._keys is None or refresh:
            body = await _get_json(client, metadata.jwks_uri)
            try:
                self._keys = KeySet.import_key_set(cast(Any, body))
            except (JoseError, ValueError, KeyError, TypeError) as err:
                raise ProviderUnavailable(f"its signing keys are not usable: {err}") from err
        return self._keys

    async def _userinfo(
        self, client: httpx.AsyncClient, endpoint: str, access_token: str
    ) -> dict[str, Any]:
        return await _get_json(client, endpoint, {"Authorization": f"Bearer {access_token}"})


def _rules(settings: Settings) -> tuple[RoleRule, ...]:
    try:
        return parse_role_map(settings.oidc_role_map)
    except RoleMapError as err:
        raise SettingsError(
            f"{flag_and_variable('oidc_role_map')} is {redact(settings.oidc_role_map)!r}: {err}"
        ) from err


async def _get_json(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError as err:
        raise ProviderUnavailable(f"{url}: {type(err).__name__}") from err
    if response.status_code != 200:
        raise ProviderUnavailable(f"{url} answered {response.status_code}")
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError as err:
        raise ProviderUnavailable(f"{url} did not answer JSON") from err
    if not isinstance(body, dict):
        raise ProviderUnavailable(f"{url} did not answer a JSON object")
    return body


def _error_of(response: httpx.Response) -> str:
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return str(response.status_code)
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or response.status_code)
    return str(response.status_code)


def _username(claims: dict[str, Any]) -> str:
    """The person's name here: the provider's preferred_username, else its subject id."""
    name = claims.get("preferred_username")
    return name if isinstance(name, str) and name else str(claims["sub"])


def _group_names(groups: object) -> tuple[str, ...]:
    """A groups claim as a list of names (a provider may send one group as a bare string)."""
    if isinstance(groups, str):
        return (groups,)
    if isinstance(groups, Sequence):
        return tuple(str(group) for group in groups)
    return ()
