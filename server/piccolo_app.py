from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.alerts.tables import Alert
from server.auth.tables import Token
from server.crews.tables import Crew
from server.devices.tables import Device
from server.incidents.tables import Dispatch, Incident, TimelineEntry
from server.relay.tables import AppliedOp, Meta, OutboxEvent, Receipt, StreamHead
from server.sites.tables import Site

APP_CONFIG = AppConfig(
    app_name="server",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[
        Site,
        Device,
        Crew,
        Token,
        Alert,
        Incident,
        TimelineEntry,
        Dispatch,
        StreamHead,
        OutboxEvent,
        AppliedOp,
        Receipt,
        Meta,
    ],
)
