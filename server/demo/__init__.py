"""`posbon demo`: serve with seeded Samarkand data and a simulator, printing how to look."""

from __future__ import annotations

import logging

from server import runner
from server.auth.schemas import Role
from server.auth.service import create_token
from server.demo import seed, simulator
from server.settings import Settings
from server.state import AppState

logger = logging.getLogger(__name__)


async def _start(state: AppState) -> None:
    await seed.seed(state.db)
    dispatcher = await create_token("demo dispatcher", Role.dispatcher)
    admin = await create_token("demo admin", Role.admin)
    base = f"http://{state.settings.host}:{state.settings.http_port}"
    print(  # noqa: T201  (the demo's whole point is to tell the newcomer where to look)
        f"\nPosbon demo is running.\n"
        f"  Dispatcher view:   {base}/  (sign in with the dispatcher token below)\n"
        f"  API docs:          {base}/schema/swagger  (Authorize with the admin token)\n"
        f"  Live incidents:    curl -H 'Authorization: Bearer {dispatcher.token}' "
        f"'{base}/api/v1/incidents?sort=queue'\n"
        f"  Live event stream: ws://{state.settings.host}:{state.settings.http_port}/ws/dispatch"
        f'  (first message: {{"type":"hello","token":"{dispatcher.token}",'
        f'"last_seq":0}})\n'
        f"  Dispatcher token:  {dispatcher.token}\n"
        f"  Admin token:       {admin.token}\n"
        f"Press Ctrl+C to stop.\n",
        flush=True,
    )
    await simulator.run(state)


async def run(settings: Settings) -> None:
    await runner.serve(settings, extra=_start)
