"""The DC-09 receiver's view of the devices table: account → key policy, and who to supervise.

The receiver looks accounts up synchronously for every frame, so it reads a dictionary that this
cache replaces whole on every refresh: periodically (a safety net for changes made on another
node while the bus was down, and for deletions) and at once when the devices doorbell rings.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from device_gateway.errors import InvalidKeyError
from device_gateway.protocols.dc09 import AccountPolicy, parse_key
from device_gateway.supervision import Watched
from server.db import Database
from server.devices import repository
from server.devices.repository import ReceiverAccount
from server.devices.schemas import Protocol
from server.devices.service import DEVICES_DOORBELL

logger = logging.getLogger(__name__)


def policy_for(device: ReceiverAccount) -> AccountPolicy:
    """A device's policy; an unusable stored key leaves it unable to decrypt, never open."""
    key = None
    if device.key:
        try:
            key = parse_key(device.key, device.key_format.value)
        except InvalidKeyError:
            logger.warning("device %s has an unusable DC-09 key", device.account)
    return AccountPolicy(key=key, require_encryption=device.encrypted)


class AccountCache:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._policies: dict[str, AccountPolicy] = {}
        self._watched: list[Watched] = []
        self._stale = asyncio.Event()

    def lookup(self, account: str, receiver: str | None, line: str | None) -> AccountPolicy | None:
        """The receiver's AccountLookup: by account (receiver and line are not used to key)."""
        return self._policies.get(account)

    @property
    def watched(self) -> list[Watched]:
        return self._watched

    async def refresh(self) -> list[Watched]:
        devices = await repository.receiver_accounts(self._db, Protocol.DC09)
        self._policies = {device.account: policy_for(device) for device in devices}
        self._watched = [
            Watched(account=d.account, interval_s=d.supervision_s, online=d.online)
            for d in devices
            if d.supervision_s > 0
        ]
        return self._watched

    def ring(self, streams: frozenset[str]) -> None:
        """Bus listener: a device changed somewhere, reload soon."""
        if DEVICES_DOORBELL in streams:
            self._stale.set()

    async def refresh_forever(
        self, every_s: float, on_refresh: Callable[[list[Watched]], None]
    ) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stale.wait(), every_s)
            self._stale.clear()
            try:
                on_refresh(await self.refresh())
            except Exception:  # the old keys stay in force; the next round tries again
                logger.exception("could not reload the DC-09 accounts")
