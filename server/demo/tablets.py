"""The demo crews' tablets: status changes and incident reports through the real sync client.

Each crew gets a `sync.client.SyncClient` with its own SQLite file, talking HTTP to the demo
server with a crew token, exactly as a crew's tablet would. Now and then a tablet loses the
network for a few ticks (a basement, a village): what the crew records meanwhile waits in the
tablet's queue, with the tablet's own timestamps, and arrives when the tablet is back. So the
demo's timelines and reports show the offline path working, not a shortcut around it.

To stay light, a tablet talks to the server only when it has something queued, and otherwise
pulls once every `PULL_EVERY_TICKS` ticks.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from pathlib import Path
from typing import Final

import msgspec

from server.auth.schemas import Role
from server.auth.service import create_token
from server.db import Database
from sync.client import SyncClient
from sync.entities import CrewStatusFields, IncidentReportFields, Outcome
from sync.errors import SyncError
from sync.http_transport import HttpTransport
from sync.lattices import IncidentStatus, ReportStatus
from sync.mutations import CrewStatusRecordV1
from sync.server_ids import crew_uuid, incident_uuid

logger = logging.getLogger(__name__)

PULL_EVERY_TICKS: Final = 5
WILDCARD_HOSTS: Final = frozenset({"0.0.0.0", "::", ""})  # noqa: S104  (a bind address, not one)


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    """How often a tablet drops off the network, and for how long."""

    offline_chance: float = 0.08  # per tick, for a tablet that is online
    offline_ticks: tuple[int, int] = (3, 12)


class Tablet:
    """One crew's tablet and what the simulator asked it to record."""

    def __init__(self, crew_id: int, client: SyncClient, transport: HttpTransport) -> None:
        self.crew_id = crew_id
        self.client = client
        self.transport = transport
        self.offline_ticks = 0
        self.ticks_since_pull = 0
        self.recorded: dict[int, IncidentStatus] = {}  # incident id → newest status queued
        self.reports: dict[int, uuid.UUID] = {}  # incident id → report id

    def record_status(self, incident_id: int, status: IncidentStatus) -> None:
        """Queue a status change stamped with the tablet's clock."""
        fields = CrewStatusFields(
            incident_id=incident_uuid(incident_id),
            crew_id=crew_uuid(self.crew_id),
            status=status,
            device_time=dt.datetime.now(dt.UTC),
        )
        self.client.enqueue(CrewStatusRecordV1, entity_id=self.client.new_id(), fields=fields)
        self.recorded[incident_id] = status

    def write_report(self, incident_id: int, outcome: Outcome, narrative: str) -> uuid.UUID:
        """Queue the crew's submitted report on an incident (one report per incident)."""
        report_id = self.reports.setdefault(incident_id, self.client.new_id())
        fields = IncidentReportFields(
            incident_id=incident_uuid(incident_id),
            crew_id=crew_uuid(self.crew_id),
            narrative=narrative,
            outcome=outcome,
            status=ReportStatus.SUBMITTED,
        )
        self.client.edit_report(report_id, fields)
        return report_id


def server_url(host: str, port: int) -> str:
    """Where the demo's tablets reach the server (a wildcard bind is reached on loopback)."""
    return f"http://{'127.0.0.1' if host in WILDCARD_HOSTS else host}:{port}"


class Tablets:
    """Every demo crew's tablet, opened on first use."""

    def __init__(
        self,
        db: Database,
        folder: Path,
        base_url: str,
        rng: random.Random,
        coverage: Coverage | None = None,
    ) -> None:
        self.db = db
        self.folder = folder
        self.base_url = base_url
        self.rng = rng
        self.coverage = coverage or Coverage()
        self._tablets: dict[int, Tablet] = {}
        self.outages = 0
        # httpx logs every request at info: six tablets polling would drown the demo's log.
        logging.getLogger("httpx").setLevel(logging.WARNING)

    async def of(self, crew_id: int, crew_name: str) -> Tablet:
        """The crew's tablet (a fresh token each demo run; the device stays the crew's)."""
        if crew_id not in self._tablets:
            issued = await create_token(self.db, f"demo tablet {crew_name}", Role.CREW, crew_id)
            transport = HttpTransport(self.base_url, issued.token)
            self.folder.mkdir(parents=True, exist_ok=True)
            client = SyncClient.open(self.folder / f"crew-{crew_id}.sqlite3", transport)
            self._tablets[crew_id] = Tablet(crew_id, client, transport)
        return self._tablets[crew_id]

    def all(self) -> list[Tablet]:
        return list(self._tablets.values())

    async def tick(self) -> None:
        """Move each tablet's coverage on one tick and sync those that are online and due."""
        for tablet in self._tablets.values():
            self._roam(tablet)
            tablet.ticks_since_pull += 1
            due = tablet.ticks_since_pull >= PULL_EVERY_TICKS or tablet.client.store.pending(1)
            if tablet.offline_ticks == 0 and due:
                await self.sync(tablet)

    def _roam(self, tablet: Tablet) -> None:
        if tablet.offline_ticks > 0:
            tablet.offline_ticks -= 1
            if tablet.offline_ticks == 0:
                logger.info("demo tablet of crew %s is back online", tablet.crew_id)
        elif self.rng.random() < self.coverage.offline_chance:
            tablet.offline_ticks = self.rng.randint(*self.coverage.offline_ticks)
            self.outages += 1
            logger.info("demo tablet of crew %s lost the network", tablet.crew_id)

    async def sync(self, tablet: Tablet) -> bool:
        """Push the queue and pull; False if the server could not be reached (retried later)."""
        try:
            await tablet.client.sync()
        except SyncError as err:  # unreachable, refused, a storage failure: retried next tick
            logger.info("demo tablet of crew %s could not sync: %s", tablet.crew_id, err)
            return False
        tablet.ticks_since_pull = 0
        return True

    async def close(self) -> None:
        for tablet in self._tablets.values():
            tablet.client.close()
            await tablet.transport.aclose()
