"""Prometheus metrics; one registry per app so tests can build several apps in one process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sockets = Gauge(
            "posbon_sockets_connected", "Open relay sockets.", ["endpoint"], registry=self.registry
        )
        self.events_sent = Counter(
            "posbon_relay_events_sent_total",
            "Events sent to sockets.",
            ["endpoint", "phase"],
            registry=self.registry,
        )
        self.slow_disconnects = Counter(
            "posbon_relay_slow_disconnects_total",
            "Sockets closed because their send queue overflowed.",
            registry=self.registry,
        )
        self.resyncs = Counter(
            "posbon_relay_resyncs_total", "Reconnects told to resync.", registry=self.registry
        )
        self.alerts = Counter(
            "posbon_alerts_total", "Alerts raised.", ["source", "kind"], registry=self.registry
        )
        self.http_latency = Histogram(
            "posbon_http_request_seconds",
            "HTTP handling time.",
            ["method", "status"],
            registry=self.registry,
        )
