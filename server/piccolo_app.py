"""Piccolo's app config: the migrations folder and the one list of the app's tables.

`server.db` knows no domain: it reads this list through piccolo's app registry
(`server.db.registered_tables`). A new table is added here and nowhere else.
"""

from pathlib import Path
from typing import Final

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from server.accounts.tables import User
from server.alerts.tables import Alert
from server.audit.tables import AuditHeadRow, AuditLogEntry
from server.auth.tables import Token
from server.cameras.tables import Camera
from server.contacts.tables import Contact, ContactCall
from server.crews.tables import Crew
from server.custody.tables import CustodyEvent
from server.devices.tables import Device
from server.evidence.redaction_tables import RedactionJob
from server.evidence.retention_tables import (
    IncidentRetention,
    LegalHold,
    RetentionCategory,
    RetentionRecord,
)
from server.evidence.share_tables import EvidenceShare, EvidenceShareItem
from server.incidents.tables import AppliedOp, Dispatch, Incident, Receipt, TimelineEntry
from server.notify.tables import Notification
from server.plans.tables import IncidentPlan, IncidentPlanStep, Plan, PlanVersion
from server.plates.reads_tables import PlateRead, PlateReadSearch
from server.plates.tables import PlateEntry, PlateList, PlateNotMatch
from server.recognition.tables import RecognitionCrop, RecognitionReview, RecognitionSubject
from server.relay.tables import Meta, OutboxEvent, StreamHead
from server.schedules.tables import ScheduleDeadline, SiteSchedule, SiteTest
from server.signals.tables import StoredSignal
from server.sites.tables import Site
from server.sync.tables import (
    SyncChange,
    SyncConflict,
    SyncDevice,
    SyncEntity,
    SyncMark,
    SyncMember,
    SyncResult,
    SyncScope,
)
from server.uploads.tables import Upload
from server.verification.tables import VerificationCapture, VerificationScan
from server.watchlists.tables import Watchlist, WatchlistPerson, WatchlistPhoto

TABLES: Final[tuple[type[Table], ...]] = (
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
    SyncMark,
    StoredSignal,
    Camera,
    Watchlist,
    WatchlistPerson,
    WatchlistPhoto,
    PlateList,
    PlateEntry,
    PlateNotMatch,
    PlateRead,
    PlateReadSearch,
    AuditLogEntry,
    AuditHeadRow,
    RecognitionCrop,
    RecognitionReview,
    RecognitionSubject,
    RedactionJob,
    EvidenceShare,
    EvidenceShareItem,
    RetentionCategory,
    RetentionRecord,
    IncidentRetention,
    LegalHold,
    SiteSchedule,
    ScheduleDeadline,
    SiteTest,
    Contact,
    ContactCall,
    Notification,
    VerificationCapture,
    VerificationScan,
    Plan,
    PlanVersion,
    IncidentPlan,
    IncidentPlanStep,
    User,
)

APP_CONFIG = AppConfig(
    app_name="server",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)
