"""What the running app holds: its infrastructure, and nothing of any domain.

Settings, the database, the bus and the relay hub it rings, metrics, the supervised parts, the
registry of open relay sockets, the sync store's clock, and cluster leases. A domain's own
services are built where they are used: provided to its routes by its router
(server/incidents/routes.py) and built by its lifespan for the parts it runs
(server/incidents/lifespan.py); server/app.py composes them.
"""

from __future__ import annotations

from litestar.di import NamedDependency

from server.cluster.leases import LeaseKeeper, make_lease
from server.db import Database
from server.metrics import Metrics
from server.parts import Parts
from server.relay.bus import Bus
from server.relay.hub import RelayHub
from server.relay.sockets import OpenSockets
from server.settings import Settings
from sync.hlc import HybridClock


class AppState:
    def __init__(self, settings: Settings, db: Database, bus: Bus) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.hub = RelayHub(db, settings.relay_queue_max)
        self.metrics = Metrics()
        self.parts = Parts(self.metrics, restart_first_s=settings.part_restart_s)
        """The long-lived tasks, supervised: a failed one is logged, counted, shown on /ready."""
        self.sockets = OpenSockets()
        """The relay sockets open on this node, by token: a revocation closes them."""
        self.sync_clock = HybridClock()
        """This node's hybrid logical clock for the sync store: the stamps of the server's own
        writes (server/sync/writes.py) and the server time a push or pull answers with."""
        db.commit_hooks.append(bus.ring)
        bus.listen(self.hub.ring)

    def lease(self, name: str) -> LeaseKeeper:
        """A keeper for a cluster-wide lease: the work it runs runs on one node at a time."""
        lease = make_lease(name, self.settings.database_url)
        return LeaseKeeper(lease, self.settings.lease_check_s)


Posbon = NamedDependency[AppState]
"""How a handler asks for the app state: `posbon: Posbon`."""
