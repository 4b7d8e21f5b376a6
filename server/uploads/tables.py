"""Evidence tables; migration 0006_evidence.py creates them with plain DDL."""

from piccolo.columns import BigInt, Text, Timestamptz, Varchar
from piccolo.table import Table


class Upload(Table, tablename="uploads"):
    id = Varchar(length=32, primary_key=True)
    recording_id = Varchar(length=36)
    length = BigInt()
    upload_offset = BigInt(default=0)
    state = Varchar(length=16)
    metadata = Text()
    owner = Varchar(length=120)
    expected_sha256 = Varchar(length=64)
    sha256 = Varchar(length=64, null=True, default=None)
    category = Varchar(length=40, default="")
    created_at = Timestamptz()
    expires_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
