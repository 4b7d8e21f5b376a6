"""The signals table, for piccolo's registry and the test truncation (DDL: migration 0004)."""

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz
from piccolo.table import Table


class StoredSignal(Table, tablename="signals"):
    id: Serial
    device_id = Integer(null=True, default=None)
    account = Text()
    receiver = Text(null=True, default=None)
    line = Text(null=True, default=None)
    token = Text()
    seq = Text()
    data_sha256 = Text()
    dedup_hash = Text()
    event_index = Integer(default=0)
    encrypted = Boolean(default=False)
    code_family = Text()
    code = Text()
    qualifier = Text()
    kind = Text()
    priority = Integer()
    description = Text()
    zone = Text(null=True, default=None)
    user_number = Text(null=True, default=None)
    area = Text(null=True, default=None)
    text = Text(null=True, default=None)
    panel_time = Timestamptz(null=True, default=None)
    xdata = Text(default="{}")
    frame = Text(db_column_name="raw")  # `raw` is a Table method
    content = Text()
    transport = Text()
    peer = Text()
    registered = Boolean(default=False)
    alert_id = Integer(null=True, default=None)
    received_at = Timestamptz()
