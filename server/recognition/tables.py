from piccolo.columns import Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class RecognitionCrop(Table, tablename="recognition_crops"):
    """The stored crop of a recognition alert; the image is a file under the data directory."""

    id: Serial
    alert_id = Integer(null=True, default=None)
    camera_id = Integer(null=True, default=None)
    kind = Varchar(length=10)
    path = Varchar(length=400)
    embedding = Bytea(null=True, default=None)
    created_at = Timestamptz(index=True)
