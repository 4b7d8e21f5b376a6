"""Run the DC-09 receiver inside the server: listeners, commit loop, supervision, key cache.

DC-09 goes through the same gateway and TCP pump as every stream protocol; what it adds is its own
wiring: UDP on the TCP port number, TLS, keys and supervision from the device registry, and a
security alert for plaintext from an account that must encrypt."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Final

from device_gateway.gateway import Gateway
from device_gateway.ingest import IngestPipeline, SignalStore, Source
from device_gateway.protocols.dc09 import Dc09Receiver, ReceiverConfig, UnknownAccountAction
from device_gateway.ratelimit import RateLimit, exempt_networks
from device_gateway.signals import Refused
from device_gateway.supervision import Supervisor
from device_gateway.transports.listeners import listen_dc09
from device_gateway.transports.observer import HangUp, Refusal
from server.limits import device_stream_limits
from server.metrics import Metrics
from server.ports import binding
from server.settings import Settings, SettingsError, flag_and_variable
from server.signals.accounts import AccountCache
from server.signals.service import DbSignalStore, LinkRecorder, SecurityAlerts
from server.signals.supervision import LeadSupervision
from server.state import AppState

logger = logging.getLogger(__name__)

StoreWrapper = Callable[[SignalStore], SignalStore]
SHUTDOWN_TIMEOUT_S: Final = 5.0


class GatewayMetrics:
    """The gateway's observer, counting into the app's Prometheus registry."""

    def __init__(self, metrics: Metrics) -> None:
        self._m = metrics

    def frame_received(self, transport: str) -> None:
        self._m.dc09_frames.labels(transport).inc()

    def frame_rejected(self, reason: str, transport: str) -> None:
        self._m.dc09_rejects.labels(reason).inc()

    def acked(self, seconds: float) -> None:
        self._m.dc09_ack_seconds.observe(seconds)

    def rate_limited(self, outcome: str) -> None:
        self._m.dc09_rate_limited.labels(outcome).inc()

    def batch_committed(self, size: int, duplicates: int, seconds: float) -> None:
        self._m.dc09_commits.labels("ok").inc()
        self._m.dc09_batch_frames.observe(size)
        self._m.dc09_commit_seconds.observe(seconds)
        self._m.dc09_duplicates.inc(duplicates)

    def batch_failed(self, size: int) -> None:
        self._m.dc09_commits.labels("failed").inc()

    def duplicate_answered(self) -> None:
        self._m.dc09_duplicates.inc()

    def replayed(self, transport: str) -> None:
        self._m.dc09_replays.labels(transport).inc()


class ListenerMetrics:
    """One device listener's connection observer: what it refuses and what it hangs up on,
    counted under its name (``dc09``, ``device_http``, or a stream protocol's: ``gt06`` …)."""

    def __init__(self, metrics: Metrics, listener: str) -> None:
        self._refused = metrics.device_refused
        self._hangups = metrics.device_hangups
        self._listener = listener

    def refused(self, reason: Refusal) -> None:
        self._refused.labels(self._listener, reason.value).inc()

    def hung_up(self, reason: HangUp) -> None:
        self._hangups.labels(self._listener, reason.value).inc()


class RunningGateway:
    def __init__(self, port: int, accounts: AccountCache, gateway: Gateway) -> None:
        self.port = port
        self._accounts = accounts
        self._gateway = gateway

    async def reload_accounts(self) -> None:
        """Reload keys and supervision now (the devices doorbell does this soon by itself)."""
        self._gateway.watch(await self._accounts.refresh())


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    if not settings.dc09_tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(settings.dc09_tls_cert, settings.dc09_tls_key or None)
    except (OSError, ssl.SSLError) as err:
        raise SettingsError(
            f"{flag_and_variable('dc09_tls_cert')} and {flag_and_variable('dc09_tls_key')}: "
            f"cannot load {settings.dc09_tls_cert!r} with key {settings.dc09_tls_key!r} ({err})"
        ) from err
    return context


def _reject_hook(state: AppState, tasks: set[asyncio.Task[None]]) -> Callable[..., None]:
    security = SecurityAlerts(state.db, state.metrics, clock=state.sync_clock)

    def on_reject(event: Refused, source: Source) -> None:
        external_id = security.external_id(event, dt.datetime.now(dt.UTC).date())
        if external_id is not None and security.needs_alert(external_id):
            task = asyncio.create_task(security.raise_for(event, external_id, source.peer))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    return on_reject


@contextlib.asynccontextmanager
async def running_gateway(
    state: AppState, *, wrap_store: StoreWrapper | None = None
) -> AsyncIterator[RunningGateway]:
    """Listen for DC-09 on ``settings.dc09_port`` (TCP and UDP) until the block ends."""
    settings = state.settings
    accounts = AccountCache(state.db)
    watched = await accounts.refresh()
    state.bus.listen(accounts.ring)
    observer = GatewayMetrics(state.metrics)
    store: SignalStore = DbSignalStore(
        state.db,
        state.metrics,
        clock=state.sync_clock,
        activation_window_s=state.settings.activation_window_s,
    )
    pipeline = IngestPipeline(
        store if wrap_store is None else wrap_store(store),
        max_pending=settings.dc09_queue_max,
        max_batch=settings.dc09_batch_max,
        observer=observer,
    )
    side_tasks: set[asyncio.Task[None]] = set()
    config = ReceiverConfig(unknown_account=UnknownAccountAction(settings.dc09_unknown_account))
    receiver = functools.partial(
        Dc09Receiver, accounts.lookup, random_bytes=os.urandom, config=config
    )
    gateway = Gateway(
        receiver,
        pipeline,
        observer,
        name="DC-09",
        datagrams=receiver(),
        supervisor=Supervisor(grace_s=settings.dc09_supervision_grace_s),
        sink=LinkRecorder(state.db, state.metrics, clock=state.sync_clock),
        on_reject=_reject_hook(state, side_tasks),
        rate_limit=RateLimit(rate_per_s=settings.dc09_rate_per_s, burst=settings.dc09_rate_burst),
        rate_exempt=exempt_networks(settings.dc09_rate_exempt),
        replay_window_s=config.max_ahead_s + config.max_behind_s,
    )
    gateway.watch(watched)
    lead = LeadSupervision(state.db, gateway, accounts, settings.dc09_supervision_tick_s)
    tls = tls_context(settings)
    with binding("dc09_port", settings.host, settings.dc09_port):
        listeners = await listen_dc09(
            gateway,
            settings.host,
            settings.dc09_port,
            ssl_context=tls,
            limits=device_stream_limits(settings),
            observer=ListenerMetrics(state.metrics, "dc09"),
        )
    parts = {
        "dc09-commit": pipeline.run,
        "dc09-supervision": lambda: gateway.supervise(
            settings.dc09_supervision_tick_s, lead.may_expire
        ),
        "dc09-supervision-lease": lambda: state.lease("supervision").run(lead.lead),
        "dc09-accounts": lambda: accounts.refresh_forever(
            settings.dc09_accounts_refresh_s, gateway.watch
        ),
        f"dc09-{listeners.transport}": listeners.run_stream,
        "dc09-udp": listeners.run_datagrams,
    }
    for name, run in parts.items():
        state.parts.start(name, run)
    logger.info(
        "DC-09 receiver listening on %s:%d (%s and UDP)",
        settings.host,
        listeners.port,
        listeners.transport.upper(),
    )
    try:
        yield RunningGateway(listeners.port, accounts, gateway)
    finally:
        await state.parts.stop(*parts)
        await listeners.close()
        for task in side_tasks:
            task.cancel()
        await asyncio.wait_for(
            asyncio.gather(*side_tasks, return_exceptions=True), SHUTDOWN_TIMEOUT_S
        )
