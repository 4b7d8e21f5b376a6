"""The OsmAnd HTTP protocol that Traccar Client speaks, sans-I/O (reference §4.2)."""

from device_gateway.protocols.osmand.requests import Report, parse_request

__all__ = ["Report", "parse_request"]
