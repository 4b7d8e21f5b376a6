"""Offline sync: messages, clocks, conflict rules, the push/pull engine, and the client.

The engine (messages, hlc, merge, rules, pull, wire …) is pure or talks to storage only through
:class:`sync.store.Store`, a ``typing.Protocol`` that ``server/`` implements with piccolo and
:mod:`sync.memory_store` implements in memory for tests; it reads no clock and opens no socket.
The client (client, local_store, overlay, transport, http_transport) is the I/O shell that
tablets and upload stations run around it. Nothing here imports the server.
"""
