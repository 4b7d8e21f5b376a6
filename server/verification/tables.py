"""Verification tables, for piccolo's registry and the test truncation (DDL: migration 0020)."""

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class VerificationCapture(Table, tablename="verification_captures"):
    id: Serial
    alert_id = Integer()
    incident_id = Integer()
    camera_id = Integer()
    camera_name = Varchar(length=200, default="")
    state = Varchar(length=12)
    attempts = Integer(default=0)
    alarm_at = Timestamptz()
    due_at = Timestamptz()
    captured_at = Timestamptz(null=True, default=None)
    recording_id = Varchar(length=36, null=True, default=None)
    sha256 = Varchar(length=64, null=True, default=None)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    error = Text(default="")


class VerificationScan(Table, tablename="verification_scan"):
    id = Integer(primary_key=True)
    alert_id = Integer()
