from piccolo.columns import Boolean, Float, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Camera(Table, tablename="cameras"):
    id: Serial
    name = Varchar(length=200, unique=True)
    site_id = Integer(null=True, default=None)
    kind = Varchar(length=10, default="both")
    url = Varchar(length=1000, default="")
    enabled = Boolean(default=True)
    face_threshold = Float(null=True, default=None)
    cooldown_s = Float(null=True, default=None)
    created_at = Timestamptz()
