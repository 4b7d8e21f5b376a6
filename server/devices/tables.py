from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.crews.tables import Crew
from server.sites.tables import Site


class Device(Table, tablename="devices"):
    id: Serial
    account = Varchar(length=64)
    protocol = Varchar(length=20, default="dc09")
    kind = Varchar(length=40, default="panic_button")
    site = ForeignKey(references=Site, null=True, on_delete=OnDelete.set_null)
    crew = ForeignKey(references=Crew, null=True, on_delete=OnDelete.set_null)
    key = Varchar(length=128, default="")
    key_format = Varchar(length=8, default="hex")
    encrypted = Boolean(default=False)
    supervision_s = Integer(default=0)
    last_seen_at = Timestamptz(null=True, default=None)
    online = Boolean(default=True)
    created_at = Timestamptz()
