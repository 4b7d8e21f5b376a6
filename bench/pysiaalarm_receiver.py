"""pysiaalarm's asyncio TCP receiver, for bench/gateway.py's comparison (``--receiver
pysiaalarm``). Not a project dependency: install it beside the venv, e.g.
``pip install --target /tmp/psa pysiaalarm==3.2.2``, and pass ``--pysiaalarm-path /tmp/psa``.

Its handler does nothing: pysiaalarm writes the ACK before it calls the handler anyway
(reference §0.3), so no storage is in its figures.

    python -m bench.pysiaalarm_receiver PORT FIRST_ACCOUNT COUNT
"""

from __future__ import annotations

import asyncio
import logging
import sys

from pysiaalarm import SIAAccount  # type: ignore[import-not-found]
from pysiaalarm.aio import SIAClient  # type: ignore[import-not-found]


async def _ignore(event: object) -> None:
    return None


async def main(port: int, first_account: int, count: int) -> None:
    # Its parser logs every Contact ID content it cannot match (ours included, and it still ACKs
    # them); the comparison times its receiver, not its logging.
    logging.getLogger("pysiaalarm").setLevel(logging.CRITICAL)
    accounts = [
        SIAAccount(str(first_account + index), allowed_timeband=None) for index in range(count)
    ]
    client = SIAClient("127.0.0.1", port, accounts, function=_ignore)
    await client.async_start()
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
