"""Plate lists (wanted, own) and their in-memory index, matched from the recognition thread; the
plate read log (every plate a camera read, kept for a retention period) and its audited search
(``reads*`` modules).

Below server.recognition: it may import the `recognition` library but never server.recognition,
which holds the index and reads it. The runtime reaches plate actions as the ``PlateRuntime``
protocol (the database and the index), filled by the app's ``recognition`` dependency.
"""
