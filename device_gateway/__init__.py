"""Device gateway: device bytes in, normalized signals out.

``protocols/`` holds sans-I/O protocol code (no sockets, no asyncio, no clock reads); transports
are thin pumps around it. The rest of the system consumes :mod:`device_gateway.signals`.
"""
