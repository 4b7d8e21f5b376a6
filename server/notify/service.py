"""Notice actions: queue one for an incident, and record what its channel made of it.

Each is one write transaction holding the incident's row lock, which moves the notice, appends
the change to the incident's timeline and tells the dispatcher page (a `notice` event), so the
timeline never shows a change that did not commit. Queueing answers only after the notice is
stored: what the API acknowledged is never lost, however long the gateway stays down.

Timeline kinds: notice_queued, notice_submitted, notice_delivered, notice_failed and
notice_retrying. A notice whose channel stays down is retried every few minutes; its timeline
says so on the first failure and whenever the reason changes, not on every try.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Final

from server.auth.schemas import Principal
from server.db import Database
from server.errors import Conflict, NotFound
from server.incidents import repository as incidents_repository
from server.incidents.schemas import Incident
from server.incidents.service import SYSTEM_ACTOR, record
from server.incidents.timeline import EntryFacts
from server.notify import recipients, repository
from server.notify.channels import Receipt, Sent
from server.notify.repository import NewNotice
from server.notify.retry import Backoff
from server.notify.schemas import Channel, Notice, NoticeChannels, NoticeIn, NoticeState
from server.notify.templates import Facts, render
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.settings import Settings

logger = logging.getLogger(__name__)
NOTICE_EVENT: Final = "notice"
RECEIPT_WAIT_S: Final = 5.0
RECEIPT_POLL_S: Final = 0.05


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def configured(settings: Settings, channel: Channel) -> bool:
    if channel is Channel.SMS:
        return bool(settings.smpp_host)
    return bool(settings.telegram_bot_token)


def channels(settings: Settings) -> NoticeChannels:
    sms = configured(settings, Channel.SMS)
    telegram = configured(settings, Channel.TELEGRAM)
    return NoticeChannels(
        sms=sms,
        telegram=telegram,
        duty_desk_sms=sms and bool(settings.notify_duty_desk_phone),
        duty_desk_telegram=telegram and bool(settings.notify_duty_desk_chat_id),
    )


def _require_configured(settings: Settings, channel: Channel) -> None:
    if configured(settings, channel):
        return
    if channel is Channel.SMS:
        raise Conflict(
            "SMS notices are off: start posbon with --smpp-host (and --smpp-system-id, "
            "--smpp-password) naming the operator's SMPP gateway.",
            code="sms_not_configured",
        )
    raise Conflict(
        "Telegram notices are off: start posbon with --telegram-bot-token (the bot's token).",
        code="telegram_not_configured",
    )


async def _locked(db: Database, incident_id: int) -> Incident:
    incident = await incidents_repository.find(db, incident_id, lock=True)
    if incident is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return incident


async def _tell(db: Database, notice: Notice, kind: str, actor: str, **extra: Any) -> None:
    data = {
        "notice_id": notice.id,
        "channel": notice.channel.value,
        "recipient": notice.recipient_name,
        **extra,
    }
    facts = EntryFacts(incident_id=notice.incident_id, at=_now(), actor=actor, kind=kind, data=data)
    await record(db, facts)
    await outbox.append(db, DISPATCH_STREAM, NOTICE_EVENT, notice)


async def queue(
    db: Database, settings: Settings, incident_id: int, body: NoticeIn, who: Principal
) -> Notice:
    _require_configured(settings, body.channel)
    async with db.write():
        incident = await _locked(db, incident_id)
        recipient = await recipients.resolve(db, settings, incident, body)
        facts = Facts(
            site=incident.site.name or incident.title, kind=incident.kind, at=incident.created_at
        )
        text = render(body.template, recipient.language, facts, settings.time_zone)
        new = NewNotice(
            incident_id=incident.id,
            channel=body.channel,
            recipient=recipient,
            template=body.template,
            language=recipient.language,
            body=text,
            requested_by=who.actor,
        )
        notice = await repository.insert(db, new, _now())
        await _tell(db, notice, "notice_queued", who.actor, template=body.template.value)
    return notice


async def sent(db: Database, notice: Notice, result: Sent) -> Notice | None:
    target = NoticeState(result.outcome.value)
    async with db.write():
        await _locked(db, notice.incident_id)
        moved = await repository.move(db, notice.id, target, _now(), provider_id=result.provider_id)
        if moved is not None:
            kind = f"notice_{target.value}"
            await _tell(db, moved, kind, SYSTEM_ACTOR, provider_id=result.provider_id)
    return moved


async def retry_later(db: Database, notice: Notice, error: str, backoff: Backoff) -> Notice | None:
    """The channel was down: keep the notice pending, to be tried after the backoff."""
    delay_s = backoff.delay_s(notice.attempts)
    now = _now()
    async with db.write():
        await _locked(db, notice.incident_id)
        later = now + dt.timedelta(seconds=delay_s)
        kept = await repository.postpone(db, notice.id, now, later, error)
        if kept is not None and (notice.attempts <= 1 or error != notice.last_error):
            await _tell(db, kept, "notice_retrying", SYSTEM_ACTOR, error=error, retry_in_s=delay_s)
    return kept


async def failed(db: Database, notice: Notice, error: str) -> Notice | None:
    async with db.write():
        await _locked(db, notice.incident_id)
        moved = await repository.move(db, notice.id, NoticeState.FAILED, _now(), error=error)
        if moved is not None:
            await _tell(db, moved, "notice_failed", SYSTEM_ACTOR, error=error)
    return moved


async def receipt(db: Database, channel: Channel, found: Receipt) -> Notice | None:
    """A delivery receipt: the notice it names is delivered, or failed."""
    notice = await _awaited_notice(db, channel, found.provider_id)
    if notice is None:
        logger.warning("receipt for unknown %s message %s", channel.value, found.provider_id)
        return None
    target = NoticeState.DELIVERED if found.delivered else NoticeState.FAILED
    error = "" if found.delivered else f"delivery receipt: {found.status}"
    async with db.write():
        await _locked(db, notice.incident_id)
        moved = await repository.move(db, notice.id, target, _now(), error=error)
        if moved is not None:
            kind = f"notice_{target.value}"
            await _tell(db, moved, kind, SYSTEM_ACTOR, receipt=found.status)
    return moved


async def _awaited_notice(db: Database, channel: Channel, provider_id: str) -> Notice | None:
    """The notice a receipt names. A fast gateway may send the receipt before the sender has
    stored the submit's message id: wait a little for it (the gateway's deliver_sm is answered
    only after this returns)."""
    deadline = asyncio.get_running_loop().time() + RECEIPT_WAIT_S
    while True:
        notice = await repository.by_provider_id(db, channel, provider_id)
        if notice is not None or asyncio.get_running_loop().time() >= deadline:
            return notice
        await asyncio.sleep(RECEIPT_POLL_S)


async def of_incident(db: Database, incident_id: int) -> list[Notice]:
    if await incidents_repository.find(db, incident_id) is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return await repository.of_incident(db, incident_id)
