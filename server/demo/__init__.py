"""`posbon demo`: serve with seeded Samarkand data and a simulator, printing how to look."""

from __future__ import annotations

import logging

from server import runner
from server.app import Running
from server.auth.schemas import Role
from server.auth.service import create_token
from server.demo import seed, simulator
from server.demo.tablets import WILDCARD_HOSTS, server_url
from server.settings import Settings
from server.signals.lifespan import DC09
from server.signals.trackers import OFF

logger = logging.getLogger(__name__)


def _port(port: int, protocol: str) -> str:
    if port == OFF:
        return f"{protocol} off"
    return f"{protocol} {'any free port (see the log)' if port == 0 else port}"


def _dc09_port(running: Running) -> int:
    """The port the receiver bound (the setting may be 0: any free port)."""
    return running.device_ports.get(DC09, running.state.settings.dc09_port)


def _device_ports(running: Running) -> str:
    settings = running.state.settings
    doors = (
        _port(_dc09_port(running), "DC-09") + " TCP+UDP",
        _port(settings.osmand_port, "OsmAnd HTTP"),
        _port(settings.gt06_port, "GT06 TCP"),
        _port(settings.teltonika_port, "Teltonika TCP"),
    )
    return ", ".join(doors)


def _panels(running: Running) -> str:
    """The seeded buttons, and a `posbon panel send` that presses one of them."""
    first, last = seed.panel_account(1), seed.panel_account(len(seed.SITES))
    host = running.state.settings.host
    return (
        f"  Demo panels:       DC-09 accounts {first} to {last}, one per site, unencrypted "
        f"(no key); {first} is {seed.SITES[0][0]}\n"
        f"  Press a button:    posbon panel send --host "
        f"{'127.0.0.1' if host in WILDCARD_HOSTS else host} --port {_dc09_port(running)} "
        f"--account {first} --code 120 --zone 3\n"
    )


async def _start(running: Running) -> None:
    state = running.state
    await seed.seed(state.db, state.settings.time_zone)
    dispatcher = await create_token(state.db, "demo dispatcher", Role.DISPATCHER)
    admin = await create_token(state.db, "demo admin", Role.ADMIN)
    base = server_url(state.settings.host, state.settings.http_port)
    print(  # noqa: T201  (the demo's whole point is to tell the newcomer where to look)
        f"\nPosbon demo is running.\n"
        f"  Dispatcher view:   {base}/  (sign in with the dispatcher token below)\n"
        f"  API docs:          {base}/schema/swagger  (Authorize: paste the admin token)\n"
        f"  Live incidents:    curl -H 'Authorization: Bearer {dispatcher.token}' "
        f"'{base}/api/v1/incidents?sort=queue'\n"
        f"  Live event stream: {base.replace('http', 'ws', 1)}/ws/dispatch"
        f'  (first message: {{"type":"hello","token":"{dispatcher.token}",'
        f'"last_seq":0}})\n'
        f"  Dispatcher token:  {dispatcher.token}\n"
        f"  Admin token:       {admin.token}\n"
        f"  Device ports:      {_device_ports(running)}\n"
        f"{_panels(running)}"
        f"Press Ctrl+C to stop.\n",
        flush=True,
    )
    await simulator.run(state, running.device_ports.get(DC09))


async def run(settings: Settings, beside: runner.Extra | None = None) -> None:
    """Serve the demo; ``beside`` also runs beside the server (the CLI's stop handling)."""

    async def extra(running: Running) -> None:
        if beside is not None:
            await beside(running)
        await _start(running)

    await runner.serve(settings, extra=extra)
