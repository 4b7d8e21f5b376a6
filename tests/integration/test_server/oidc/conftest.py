"""A Posbon node with single sign-on against the local OpenID provider (provider.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import msgspec
import pytest

from server.db import Database
from server.settings import Settings, with_overrides
from tests.conftest import free_port
from tests.integration.live import Live, serve
from tests.integration.test_server.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Person,
    Provider,
    running_provider,
)

ROLE_MAP: Final = "ops-dispatch=dispatcher,north-desk=dispatcher:North"
PEOPLE: Final = {
    "ana": Person(groups=["staff", "ops-dispatch"], name="Ana Karimova"),
    "nora": Person(groups=["north-desk"], name="Nora Yusupova"),
    "bob": Person(groups=["staff", "cleaners"], name="Bob Aliev"),
}
"""A dispatcher, a district's dispatcher, and a person in no mapped group."""


class SsoNode(msgspec.Struct, frozen=True):
    live: Live
    provider: Provider


@pytest.fixture
def provider_port() -> int:
    return free_port()


@pytest.fixture
def sso_settings(settings: Settings, provider_port: int) -> Settings:
    return with_overrides(
        settings,
        oidc_issuer=f"http://127.0.0.1:{provider_port}",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_role_map=ROLE_MAP,
    )


@pytest.fixture
async def sso(
    sso_settings: Settings, db: Database, provider_port: int, tmp_path: Path
) -> AsyncIterator[SsoNode]:
    """Posbon first (it needs the provider only once someone signs in), then the provider,
    which must know Posbon's callback address."""
    async with serve(sso_settings, db) as live:
        callback = live.http + "/auth/oidc/callback"
        log = tmp_path / "oidc-provider.log"
        async with running_provider(provider_port, callback, PEOPLE, log) as provider:
            yield SsoNode(live, provider)
