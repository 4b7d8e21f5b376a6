from piccolo.columns import DoublePrecision, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class PlateRead(Table, tablename="plate_reads"):
    """One plate a camera frame showed, listed or not; deleted after the retention period."""

    id: Serial
    camera_id = Integer()
    site_id = Integer(null=True, default=None)
    plate = Varchar(length=32)
    display = Varchar(length=48)
    search_key = Varchar(length=32)
    confidence = DoublePrecision()
    crop_id = Integer(null=True, default=None)
    read_at = Timestamptz()


class PlateReadSearch(Table, tablename="plate_read_searches"):
    """One search of the plate read log: who asked, what, and how many reads it found."""

    id: Serial
    token_id = Integer()
    token_name = Varchar(length=200)
    role = Varchar(length=20)
    searched_at = Timestamptz()
    plate = Varchar(length=64)
    search_key = Varchar(length=32)
    since = Timestamptz(null=True, default=None)
    until = Timestamptz(null=True, default=None)
    camera_id = Integer(null=True, default=None)
    result_limit = Integer()
    results = Integer()
