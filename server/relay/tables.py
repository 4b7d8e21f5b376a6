from piccolo.columns import BigInt, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class StreamHead(Table, tablename="stream_heads"):
    """The last sequence number handed out per stream, bumped inside the writing transaction."""

    stream = Varchar(length=64, primary_key=True)
    last_seq = BigInt(default=0)


class OutboxEvent(Table, tablename="outbox"):
    id: Serial
    stream = Varchar(length=64)
    seq = BigInt()
    type = Varchar(length=30)
    data = Text()
    created_at = Timestamptz()


class Meta(Table, tablename="posbon_meta"):
    key = Varchar(length=64, primary_key=True)
    value = Text()
