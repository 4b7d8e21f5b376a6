from piccolo.columns import Float, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Site(Table, tablename="sites"):
    id: Serial
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=40, default="other")
    address = Varchar(length=400, default="")
    district = Varchar(length=100, default="")
    lat = Float(null=True, default=None)
    lon = Float(null=True, default=None)
    created_at = Timestamptz()
