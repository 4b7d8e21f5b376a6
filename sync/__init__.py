"""Offline sync: messages, clocks, conflict rules and the push/pull engine.

Everything here is pure or talks to storage only through :class:`sync.store.Store`, a
``typing.Protocol`` that ``server/`` implements with piccolo and :mod:`sync.memory_store`
implements in memory for tests and clients. No module here reads a clock, opens a socket or
imports the server.
"""
