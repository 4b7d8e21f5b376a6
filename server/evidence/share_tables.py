"""Share links for outside parties (server/evidence/sharing.py); migration
0015_share_links.py creates them with plain DDL.

A share's token is never stored, only its SHA-256; its PIN only as a salted scrypt hash. The
recordings a share covers are fixed when it is made (`evidence_share_items`): an item linked to
the incident later is not shared by an older link.
"""

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class EvidenceShare(Table, tablename="evidence_shares"):
    id: Serial
    token_sha256 = Varchar(length=64, unique=True)
    recording_id = Varchar(length=36, null=True, default=None)
    incident_id = Integer(null=True, default=None)
    recipient = Varchar(length=200)
    reason = Text()
    mode = Varchar(length=16)
    expires_at = Timestamptz()
    pin_hash = Varchar(length=200, null=True, default=None)
    created_by = Varchar(length=120)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Varchar(length=120, null=True, default=None)
    revoke_reason = Text(null=True, default=None)
    pin_failures = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    access_count = Integer(default=0)
    last_access_at = Timestamptz(null=True, default=None)


class EvidenceShareItem(Table, tablename="evidence_share_items"):
    id: Serial
    share_id = Integer()
    recording_id = Varchar(length=36)
    position = Integer()
