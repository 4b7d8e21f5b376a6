"""The SMS channel: SMPP 3.4 to the operator's gateway (SMSC), through aiosmpplib's ESME.

The ESME runs one bound transceiver session for as long as the channel is open, reconnecting on
its own (doubling its wait from the notice retry's first wait) when the gateway drops or refuses
it. `send` puts a submit_sm in the ESME's queue and waits for its submit_sm_resp, which carries
the gateway's message id; the delivery receipt (a deliver_sm whose text reads `id:… stat:DELIVRD
…`) arrives on the same session, often long after, and goes to the `Receipts` callback. The
ESME acknowledges a deliver_sm only after that callback returns, so a receipt is answered once
it is stored.

While the session is not bound, `send` raises ChannelDown at once rather than queueing: the
notice stays pending in the database, which is the only queue that survives a restart. A
submit whose answer does not come in `submit_timeout_s` is ChannelDown too, and the notice is
sent again later: a key-holder may get a message twice, never none.

This is the only module that imports aiosmpplib.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections.abc import Mapping
from typing import Final

import msgspec
from aiosmpplib import (
    ESME,
    AbstractHook,
    DeliverSm,
    PhoneNumber,
    SmppCommandStatus,
    SmppMessage,
    SubmitSm,
    SubmitSmResp,
)
from aiosmpplib.retrytimer import SimpleExponentialBackoff

from server.notify.channels import ChannelDown, Outcome, Receipt, Receipts, Rejected, Sent

logger = logging.getLogger(__name__)

SUBMIT_TIMEOUT_S: Final = 10.0
SOCKET_TIMEOUT_S: Final = 10.0
ENQUIRE_LINK_S: Final = 30.0
STOP_TIMEOUT_S: Final = 2.0
FIRST_BIND_WAIT_S: Final = 3.0
DELIVERED: Final = "DELIVRD"
NOT_YET_FINAL: Final = frozenset({"ENROUTE", "ACCEPTD"})
"""Receipt states that say the message is still on its way: no change to the notice."""
BUSY: Final = frozenset(
    {
        SmppCommandStatus.ESME_RTHROTTLED,
        SmppCommandStatus.ESME_RMSGQFUL,
        SmppCommandStatus.ESME_RSYSERR,
        SmppCommandStatus.ESME_RSUBMITFAIL,
    }
)
"""submit_sm_resp statuses that are the gateway's trouble, not the message's: try again."""


class SmppConfig(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int
    system_id: str
    password: str
    source_addr: str
    reconnect_first_s: float = 1.0
    reconnect_max_s: float = 60.0
    submit_timeout_s: float = SUBMIT_TIMEOUT_S


class _Hook(AbstractHook):
    """aiosmpplib's callbacks, turned into the channel's futures and receipts."""

    def __init__(self, channel: SmppChannel) -> None:
        self._channel = channel

    async def sending(self, smpp_message: SmppMessage, pdu: bytes, client_id: str) -> None:
        return None

    async def received(self, smpp_message: SmppMessage | None, pdu: bytes, client_id: str) -> None:
        if isinstance(smpp_message, SubmitSmResp) and smpp_message.log_id:
            self._channel.answered(smpp_message.log_id, smpp_message)
        elif isinstance(smpp_message, DeliverSm) and smpp_message.is_receipt():
            await self._channel.receipt(smpp_message.parse_receipt())

    async def send_error(self, smpp_message: SmppMessage, error: Exception, client_id: str) -> None:
        if isinstance(smpp_message, SubmitSm):
            self._channel.failed(smpp_message.log_id, error)


class _Esme(ESME):
    """aiosmpplib's ESME, but it closes the socket of a session that ended before it opens the
    next one (the library drops it unclosed, which asyncio reports as a ResourceWarning)."""

    socket: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.close_socket()
        try:
            await super().connect()
        finally:
            self.socket = self._writer

    async def bound_within(self, timeout_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._bound.wait(), timeout_s)
        return bool(self.session_state == self.bind_mode.session_state)

    def close_socket(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None


def _backoff(first_s: float, max_s: float) -> SimpleExponentialBackoff:
    first_ms = max(1, int(first_s * 1000))
    doublings = max(0, math.ceil(math.log2(max(max_s / max(first_s, 0.001), 1.0))))
    return SimpleExponentialBackoff(min_delay=first_ms, max_increases=doublings)


class SmppChannel:
    """SMS over SMPP; `open` starts the session, `close` unbinds and stops it."""

    def __init__(self, config: SmppConfig, receipts: Receipts) -> None:
        self._config = config
        self._receipts = receipts
        self._waiting: dict[str, asyncio.Future[SubmitSmResp]] = {}
        self._esme = _Esme(
            smsc_host=config.host,
            smsc_port=config.port,
            system_id=config.system_id,
            password=config.password,
            hook=_Hook(self),
            retry_timer=_backoff(config.reconnect_first_s, config.reconnect_max_s),
            socket_timeout=SOCKET_TIMEOUT_S,
            enquire_link_interval=ENQUIRE_LINK_S,
            # Its own JSON logger writes to stderr; the channel logs the state changes itself.
            log_level=logging.CRITICAL,
        )
        self._task: asyncio.Task[None] | None = None
        self._was_bound: bool | None = None

    def open(self) -> None:
        self._task = asyncio.create_task(self._esme.start(), name="smpp-esme")

    @property
    def bound(self) -> bool:
        return bool(self._esme.session_state == self._esme.bind_mode.session_state)

    def _note_bound(self, bound: bool) -> None:
        if bound != self._was_bound:
            where = f"{self._config.host}:{self._config.port}"
            if bound:
                logger.info("SMPP gateway %s bound", where)
            else:
                logger.warning("SMPP gateway %s not bound: SMS notices wait", where)
            self._was_bound = bound

    async def send(self, text: str, address: str) -> Sent:
        # Just opened, the session may be binding still: give it a moment, once. Later, a
        # session that is down fails the send at once, so a backlog never waits on it.
        first_wait_s = FIRST_BIND_WAIT_S if self._was_bound is None else 0.0
        bound = await self._esme.bound_within(first_wait_s) if first_wait_s else self.bound
        self._note_bound(bound)
        if not bound:
            raise ChannelDown("the SMPP gateway is not bound")
        log_id = uuid.uuid4().hex
        answer: asyncio.Future[SubmitSmResp] = asyncio.get_running_loop().create_future()
        self._waiting[log_id] = answer
        message = SubmitSm(
            short_message=text,
            source=PhoneNumber(self._config.source_addr),
            destination=PhoneNumber(address),
            log_id=log_id,
        )
        try:
            await self._esme.broker.enqueue(message)
            response = await asyncio.wait_for(answer, self._config.submit_timeout_s)
        except TimeoutError as err:
            raise ChannelDown("the SMPP gateway did not answer the submit") from err
        finally:
            self._waiting.pop(log_id, None)
        return _sent(response)

    def answered(self, log_id: str, response: SubmitSmResp) -> None:
        answer = self._waiting.get(log_id)
        if answer is not None and not answer.done():
            answer.set_result(response)

    def failed(self, log_id: str, error: Exception) -> None:
        answer = self._waiting.get(log_id)
        if answer is None or answer.done():
            return
        if isinstance(error, ValueError):  # the PDU could not be built from this message
            answer.set_exception(Rejected(f"the SMS cannot be encoded: {error}"))
        else:
            answer.set_exception(ChannelDown(f"the SMPP session broke: {error!r}"))

    async def receipt(self, parsed: Mapping[str, object]) -> None:
        provider_id = str(parsed.get("id", ""))
        status = str(parsed.get("stat", "")).upper()
        if not provider_id or status in NOT_YET_FINAL:
            return
        found = Receipt(provider_id=provider_id, delivered=status == DELIVERED, status=status)
        try:
            await self._receipts(found)
        except Exception:  # the session must outlive one receipt we could not store
            logger.exception("SMPP receipt for %s not stored", provider_id)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._esme.stop(), STOP_TIMEOUT_S)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._esme.close_socket()


def _sent(response: SubmitSmResp) -> Sent:
    status = response.command_status
    if status == SmppCommandStatus.ESME_ROK:
        return Sent(provider_id=str(response.message_id), outcome=Outcome.SUBMITTED)
    if status in BUSY:
        raise ChannelDown(f"the SMPP gateway is busy ({status.name})")
    raise Rejected(f"the SMPP gateway refused the SMS ({status.name})")
