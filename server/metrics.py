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
        self.positions_dropped = Counter(
            "posbon_relay_positions_dropped_total",
            "Socket positions dropped for arriving faster than relay_position_interval_s.",
            registry=self.registry,
        )
        # What a socket's client may send (server/sockets/pacing.py).
        self.heartbeats_dropped = Counter(
            "posbon_relay_heartbeats_dropped_total",
            "Socket heartbeats with no pong of their own for arriving closer together than "
            "0.25 s (they share one pong at the end of the interval).",
            registry=self.registry,
        )
        self.receipt_writes = Counter(
            "posbon_relay_receipt_writes_total",
            "Delivery receipts written from socket acks (acks are coalesced into these).",
            registry=self.registry,
        )
        self.flood_disconnects = Counter(
            "posbon_relay_flood_disconnects_total",
            "Sockets closed (1008) for sending more messages than their budget.",
            ["endpoint"],
            registry=self.registry,
        )
        self.alerts = Counter(
            "posbon_alerts_total", "Alerts raised.", ["source", "kind"], registry=self.registry
        )
        self.dc09_frames = Counter(
            "posbon_dc09_frames_total",
            "DC-09 frames received, by transport.",
            ["transport"],
            registry=self.registry,
        )
        self.dc09_rejects = Counter(
            "posbon_dc09_rejects_total",
            "DC-09 frames refused (NAK, DUH or silence), by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.dc09_duplicates = Counter(
            "posbon_dc09_duplicates_total",
            "DC-09 retransmissions re-ACKed without storing.",
            registry=self.registry,
        )
        self.dc09_commits = Counter(
            "posbon_dc09_commits_total",
            "Signal batches committed (outcome: ok or failed).",
            ["outcome"],
            registry=self.registry,
        )
        self.dc09_batch_frames = Histogram(
            "posbon_dc09_batch_frames",
            "Frames per committed batch.",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
            registry=self.registry,
        )
        self.dc09_commit_seconds = Histogram(
            "posbon_dc09_commit_seconds",
            "Time to commit one batch of signals.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
            registry=self.registry,
        )
        self.dc09_ack_seconds = Histogram(
            "posbon_dc09_ack_seconds",
            "From a frame's arrival to its ACK being ready (stored).",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.dc09_replays = Counter(
            "posbon_dc09_replays_total",
            "Encrypted DC-09 frames repeating an earlier one under another sequence number "
            "(answered as retransmissions, never raised).",
            ["transport"],
            registry=self.registry,
        )
        self.dc09_rate_limited = Counter(
            "posbon_dc09_rate_limited_total",
            "DC-09 frames over their source's rate (outcome: shed, or alarm_admitted).",
            ["outcome"],
            registry=self.registry,
        )
        self.dc09_links = Counter(
            "posbon_dc09_link_changes_total",
            "Supervised devices going offline or coming back.",
            ["state"],
            registry=self.registry,
        )
        self.device_refused = Counter(
            "posbon_device_connections_refused_total",
            "Device connections closed as soon as accepted (reason: source_cap).",
            ["listener", "reason"],
            registry=self.registry,
        )
        self.device_hangups = Counter(
            "posbon_device_hangups_total",
            "Device connections we closed before the device did (reason: first_byte_timeout, "
            "idle_timeout, send_timeout, garbage, not_stored, refused_requests, request_timeout, "
            "bad_request, handler_failed).",
            ["listener", "reason"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "posbon_http_request_seconds",
            "HTTP handling time.",
            ["method", "status"],
            registry=self.registry,
        )
        self.http_header_timeouts = Counter(
            "posbon_http_header_timeouts_total",
            "API connections closed because a request line and headers did not arrive whole "
            "within http_header_timeout_s.",
            registry=self.registry,
        )
        self.part_failures = Counter(
            "posbon_part_failures_total",
            "Failures of a long-lived part (listener, job, loop); each is restarted.",
            ["part"],
            registry=self.registry,
        )
        self.part_up = Gauge(
            "posbon_part_up",
            "1 while a part runs, 0 from its failure until its restart.",
            ["part"],
            registry=self.registry,
        )
