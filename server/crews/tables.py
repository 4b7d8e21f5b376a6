from piccolo.columns import JSON, Float, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Crew(Table, tablename="crews"):
    id: Serial
    name = Varchar(length=100, unique=True)
    members = JSON(default="[]")
    district = Varchar(length=100, default="")
    status = Varchar(length=20, default="available")
    status_since = Timestamptz()
    lat = Float(null=True, default=None)
    lon = Float(null=True, default=None)
    position_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
