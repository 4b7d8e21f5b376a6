"""The redaction jobs table; migration 0016_redactions.py creates it with plain DDL."""

from piccolo.columns import DoublePrecision, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class RedactionJob(Table, tablename="redactions"):
    """One redaction of one recording: its proposal, the reviewer's tracks, its derivative."""

    id = Varchar(length=36, primary_key=True)
    recording_id = Varchar(length=36)
    source_sha256 = Varchar(length=64)
    state = Varchar(length=16)
    progress = DoublePrecision(default=0.0)
    error = Text(default="")
    requested_by = Varchar(length=120)
    rendered_by = Varchar(length=120, null=True, default=None)
    detect_every_n_frames = Integer(default=1)
    attempts = Integer(default=0)
    video = Text(null=True, default=None)
    tracks = Text(null=True, default=None)
    derivative_id = Varchar(length=36, null=True, default=None)
    derivative_sha256 = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
