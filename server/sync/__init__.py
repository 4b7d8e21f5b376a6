"""The server side of offline sync: push, pull, snapshot, scopes and the review of conflicts.

It may import incidents (a synced crew status change goes through the incident lifecycle) and
auth; custody and uploads build on it (they read synced recordings through `recordings`, and
custody adds its recording rules to every push through `push_rules`), so sync never imports
custody or uploads.
"""
