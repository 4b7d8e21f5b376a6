"""What the running app holds: settings, database, relay hub, bus, metrics."""

from __future__ import annotations

import datetime as dt

from litestar.di import NamedDependency

from server.auth.limits import FailedLookups
from server.cluster.leases import LeaseKeeper, make_lease
from server.db import Database
from server.incidents.service import DispatchPolicy
from server.metrics import Metrics
from server.parts import Parts
from server.relay.bus import Bus
from server.relay.hub import RelayHub
from server.relay.sockets import OpenSockets
from server.routing import make_estimator
from server.settings import Settings
from server.uploads.service import UploadPolicy, Uploads
from server.uploads.storage import evidence_store


class AppState:
    def __init__(self, settings: Settings, db: Database, bus: Bus) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.hub = RelayHub(db, settings.relay_queue_max)
        self.metrics = Metrics()
        self.parts = Parts(self.metrics, restart_first_s=settings.part_restart_s)
        """The long-lived tasks, supervised: a failed one is logged, counted, shown on /ready."""
        self.eta = make_estimator(
            settings.routing_url,
            settings.eta_detour_factor,
            settings.eta_speed_kmh,
            settings.routing_engine,
        )
        self.uploads = Uploads(
            db,
            evidence_store(settings),
            UploadPolicy(
                settings.upload_max_bytes,
                dt.timedelta(seconds=settings.upload_expire_s),
                settings.upload_body_timeout_s,
            ),
        )
        self.sockets = OpenSockets()
        """The relay sockets open on this node, by token: a revocation closes them."""
        self.token_failures = FailedLookups(
            settings.auth_failures_max, settings.auth_failure_window_s, settings.auth_block_s
        )
        """Unknown tokens by client address (HTTP and sockets alike)."""
        self.policy = DispatchPolicy(
            resend_after=dt.timedelta(seconds=settings.dispatch_resend_s),
            escalate_after=dt.timedelta(seconds=settings.dispatch_escalate_s),
        )
        self.dc09_port: int | None = None
        """The port the DC-09 receiver bound (set while it runs), for the demo's panels."""
        db.commit_hooks.append(bus.ring)
        bus.listen(self.hub.ring)
        bus.listen(self.sockets.heard)

    def lease(self, name: str) -> LeaseKeeper:
        """A keeper for a cluster-wide lease: the work it runs runs on one node at a time."""
        lease = make_lease(name, self.settings.database_url)
        return LeaseKeeper(lease, self.settings.lease_check_s)


Posbon = NamedDependency[AppState]
"""How a handler asks for the app state: `posbon: Posbon`."""
