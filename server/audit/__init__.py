"""The audit log (issue 23): one append-only, hash-chained record of who did what — every
change of configuration, every sign-in, every view of a face crop or a recording, every export.

Low-level like server/chain_log.py: domains import `server.audit.log.record`; this package
imports no domain.
"""
