"""Evidence custody: a recording's hash-chained custody log, who may see and change a recording,
and the recording rules that every sync push runs.

It may import sync (synced recordings, the push-rules registry) and incidents (a recording is
linked to one); uploads writes to the log and imports custody, so custody never imports uploads.
"""
