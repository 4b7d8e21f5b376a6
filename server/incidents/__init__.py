"""Incidents: their lifecycle, dispatches, hash-chained timeline and client operation ids.

It may import crews, sites, the relay and auth (which names a caller's owner), never sync, custody
or uploads: those build on the incident lifecycle (sync applies crew status changes through it,
custody links recordings to incidents), so they import incidents and not the other way round.
"""
