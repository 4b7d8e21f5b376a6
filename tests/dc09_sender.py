"""A real SIA DC-09 panel for the tests: my-dc09-spt, the sender installers script.

The library blocks, so each exchange runs in a thread of one small pool shared by every suite.
"""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from my_dc09_spt import dc09_spt  # type: ignore[import-untyped]

JSON = dict[str, Any]
SENDERS: Final = ThreadPoolExecutor(max_workers=64, thread_name_prefix="dc09-spt")
GIVE_UP_S: Final = 15.0
"""A sender the receiver never answers gives up on its own (UDP after about 1 s, TCP after its 5 s
socket timeout); this is only a guard."""


def _send_blocking(
    port: int, account: str, event: JSON, key: bytes | None, transport: str, token: str, spt: Any
) -> bool:
    sender = spt or dc09_spt.dc09_spt(account)
    sender.set_path("main", "primary", "127.0.0.1", port, account=account, key=key, type=transport)
    try:
        sender.send_msg(token, event)
    except Exception:  # noqa: BLE001  (the library raises a bare Exception when nothing ACKed)
        gc.collect()  # a failed exchange drops its socket unclosed: let that show up here
        return False
    return True


async def send_dc09(
    port: int,
    account: str,
    event: JSON,
    *,
    key: bytes | None = None,
    transport: str = "TCP",
    token: str = "ADM-CID",
    spt: Any = None,
    give_up_s: float | None = GIVE_UP_S,
) -> bool:
    """One event from a real panel (``spt``: a sender kept across calls, for its sequence
    numbers); True when the receiver ACKed it. ``give_up_s=None`` waits as long as the sender
    retries (a storm's senders take their turns)."""
    loop = asyncio.get_running_loop()
    sending = loop.run_in_executor(
        SENDERS, _send_blocking, port, account, event, key, transport, token, spt
    )
    return await asyncio.wait_for(sending, GIVE_UP_S)
