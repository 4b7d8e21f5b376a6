"""Watchlists: persons, their enrolled face embeddings, and the in-memory index matched from the
recognition thread.

Below server.recognition: it may import the `recognition` library but never server.recognition,
which holds the index and reads it. What enrolment needs from the runtime (the models, a crop's
embedding) is the ``WatchlistRuntime`` protocol, filled by the app's ``recognition`` dependency.
"""
