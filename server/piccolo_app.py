from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.alerts.tables import Alert
from server.auth.tables import Token
from server.cameras.tables import Camera
from server.crews.tables import Crew
from server.custody.tables import CustodyEvent
from server.devices.tables import Device
from server.incidents.tables import Dispatch, Incident, TimelineEntry
from server.plates.tables import PlateEntry, PlateList
from server.recognition.tables import RecognitionCrop
from server.relay.tables import AppliedOp, Meta, OutboxEvent, Receipt, StreamHead
from server.signals.tables import StoredSignal
from server.sites.tables import Site
from server.sync.tables import (
    SyncChange,
    SyncConflict,
    SyncDevice,
    SyncEntity,
    SyncMember,
    SyncResult,
    SyncScope,
)
from server.uploads.tables import Upload
from server.watchlists.tables import Watchlist, WatchlistPerson, WatchlistPhoto

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
        Upload,
        CustodyEvent,
        SyncDevice,
        SyncResult,
        SyncEntity,
        SyncMember,
        SyncScope,
        SyncChange,
        SyncConflict,
        StoredSignal,
        Camera,
        Watchlist,
        WatchlistPerson,
        WatchlistPhoto,
        PlateList,
        PlateEntry,
        RecognitionCrop,
    ],
)
