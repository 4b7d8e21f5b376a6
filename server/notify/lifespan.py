"""The part notices run while the app runs: the sender, with the channels the settings turn on,
on one node of a cluster at a time (the holder of the `notify` lease). The SMPP session is
opened when the lease is taken and closed when it is lost, so only the sending node is bound."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from server.notify import service
from server.notify.channels import NoticeChannel, Receipt
from server.notify.retry import Backoff
from server.notify.schemas import Channel
from server.notify.sender import Sender
from server.notify.smpp import SmppChannel, SmppConfig
from server.notify.telegram import TelegramChannel
from server.parts import Run
from server.state import AppState


@contextlib.asynccontextmanager
async def open_channels(state: AppState) -> AsyncIterator[dict[Channel, NoticeChannel]]:
    settings = state.settings
    channels: dict[Channel, NoticeChannel] = {}

    async def on_receipt(found: Receipt) -> None:
        await service.receipt(state.db, Channel.SMS, found)

    if settings.smpp_host:
        config = SmppConfig(
            host=settings.smpp_host,
            port=settings.smpp_port,
            system_id=settings.smpp_system_id,
            password=settings.smpp_password,
            source_addr=settings.smpp_source_addr,
            reconnect_first_s=settings.notify_retry_first_s,
            reconnect_max_s=settings.notify_retry_max_s,
        )
        smpp = SmppChannel(config, on_receipt)
        smpp.open()
        channels[Channel.SMS] = smpp
    if settings.telegram_bot_token:
        channels[Channel.TELEGRAM] = TelegramChannel(
            settings.telegram_api_url, settings.telegram_bot_token
        )
    try:
        yield channels
    finally:
        for channel in channels.values():
            await channel.close()


async def _send_notices(state: AppState) -> None:
    settings = state.settings
    backoff = Backoff(first_s=settings.notify_retry_first_s, max_s=settings.notify_retry_max_s)
    async with open_channels(state) as channels:
        await Sender(state.db, channels, backoff).run_forever(settings.notify_poll_s)


def parts(state: AppState) -> dict[str, Run]:
    return {"notify": lambda: state.lease("notify").run(lambda: _send_notices(state))}
