from piccolo.columns import JSON, Float, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Alert(Table, tablename="alerts"):
    id: Serial
    kind = Varchar(length=40)
    priority = Integer(default=2)
    source = Varchar(length=40)
    external_id = Varchar(length=200, null=True, default=None, unique=True)
    device_id = Integer(null=True, default=None)
    site_id = Integer(null=True, default=None)
    lat = Float(null=True, default=None)
    lon = Float(null=True, default=None)
    address = Varchar(length=400, default="")
    description = Varchar(length=2000, default="")
    details = JSON(default="{}")
    incident_id = Integer(null=True, default=None, index=True)
    occurred_at = Timestamptz()
    received_at = Timestamptz()
