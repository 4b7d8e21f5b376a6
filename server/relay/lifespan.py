"""The parts the relay runs while the node runs: the hub that delivers committed events to the
sockets, and the reconcile loop that catches up anything a missed doorbell left behind."""

from __future__ import annotations

from server.parts import Run
from server.relay.hub import RelayHub


def parts(hub: RelayHub, reconcile_s: float) -> dict[str, Run]:
    return {
        "relay-hub": hub.run,
        "reconcile": lambda: hub.reconcile_forever(reconcile_s),
    }
