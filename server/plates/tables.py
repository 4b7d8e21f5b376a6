from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class PlateList(Table, tablename="plate_lists"):
    id: Serial
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=10)
    site_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class PlateEntry(Table, tablename="plate_entries"):
    id: Serial
    list_id = Integer()
    plate = Varchar(length=32)
    folded = Varchar(length=32)
    note = Varchar(length=400, default="")
    created_at = Timestamptz()
