"""Review of recognition alerts: the queue of recent face and plate alerts, the dispatcher's
verdict on each, and what a "wrong" verdict teaches.

A verdict is stored once per change: the same verdict again changes nothing, a different one is
a new row (the latest row is in force, the earlier ones stay as its history) and an entry on the
alert's incident timeline. "Wrong" on a face match turns the alert's face (the embedding kept
with its crop) into a negative example of the matched person, so that face no longer matches
them; "correct" later takes that negative example away again. "Wrong" on a *possible* plate
match (the read differed from the list entry where the reader was unsure, or by an edit) means
"this reading is not that car": the reading is remembered as not that entry
(server.plates.service.add_not_match), inside the verdict's own write and audited, so it no
longer raises a possible alert for the entry on any camera; "correct" later forgets it again.
"Wrong" on an exact plate match teaches nothing: the plate was read right, so the list entry or
the car is what is wrong, and the verdict says so (``taught``: nothing).

The false-match and true-match rates a face threshold implies come from a table measured once
with the real models (recognition/evaluation/face_scores.json; the module beside it says which
pairs and how); the server only reads the file.

Writes: recognition_reviews
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from importlib import resources
from typing import Any, Final, Protocol

import msgspec

from server.alerts.schemas import AlertKind
from server.auth.schemas import Principal
from server.auth.scope import ANYTHING, Condition, where
from server.db import Database
from server.errors import NotFound, Unprocessable
from server.incidents import repository as incidents_repository
from server.incidents import service as incidents
from server.incidents.timeline import EntryFacts
from server.plates import service as plates
from server.plates.service import PlateRuntime
from server.sites.schemas import SiteRef
from server.sql import insert_returning_id
from server.text import Text2000
from server.watchlists import service as watchlists
from server.watchlists.service import WatchlistRuntime

RECOGNITION_KINDS: Final = (AlertKind.FACE_MATCH, AlertKind.PLATE_WANTED, AlertKind.PLATE_FOREIGN)
SCORES_RESOURCE: Final = ("recognition", "evaluation/face_scores.json")


class Verdict(enum.StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"


class Taught(enum.StrEnum):
    """What a verdict taught recognition."""

    NEGATIVE_EXAMPLE = "negative_example"  # a wrong face match: the face no longer matches them
    NOT_THIS_PLATE = "not_this_plate"  # a wrong possible plate match: that read is not the entry
    NOTHING = "nothing"  # a correct verdict, a wrong exact plate match (read right), a crop gone


class ReviewRuntime(WatchlistRuntime, PlateRuntime, Protocol):
    """What a review needs from the recognition runtime: the watchlists a face verdict teaches
    and the plate index a plate verdict teaches."""


class QueueStatus(enum.StrEnum):
    UNREVIEWED = "unreviewed"
    ALL = "all"


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    verdict: Verdict
    note: Text2000 = ""


class Review(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    alert_id: int
    verdict: Verdict
    note: str
    reviewer: str
    reviewed_at: dt.datetime
    negative_photo_id: int | None  # the negative example a "wrong" face verdict added
    taught: Taught


class ReviewOutcome(msgspec.Struct, frozen=True, kw_only=True):
    review: Review
    changed: bool  # False: the same verdict was already in force, nothing was stored
    replaced: Verdict | None  # the verdict this one replaced
    history: list[Review]  # every verdict of the alert, oldest first


class Recognition(msgspec.Struct, frozen=True, kw_only=True):
    """One face or plate alert as the review queue shows it."""

    alert_id: int
    kind: AlertKind
    incident_id: int | None
    occurred_at: dt.datetime
    site: SiteRef
    camera_id: int | None
    camera: str
    subject: str  # the person's name or the plate as read
    person_id: int | None
    watchlist_id: int | None
    watchlist: str | None  # the watchlist or the plate list
    score: float | None  # a face's similarity, a plate's read confidence
    threshold: float | None
    listed_plate: str | None
    possible: bool  # a plate alert whose read was off the entry where unsure, or by an edit
    crop_url: str | None
    review: Review | None


class ThresholdRate(msgspec.Struct, frozen=True, kw_only=True):
    threshold: float
    false_match_rate: float  # of the different-person pairs, the share at or above the threshold
    true_match_rate: float  # of the same-person pairs, the share at or above the threshold
    false_matches: int
    true_matches: int


class SetCount(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    persons: int
    faces_found: int
    genuine_pairs: int
    impostor_pairs: int


class ThresholdRates(msgspec.Struct, frozen=True, kw_only=True):
    """The rates a face threshold implies, with what they were measured on."""

    made: str
    models: str
    sets: list[SetCount]
    genuine_pairs: int
    impostor_pairs: int
    rates: list[ThresholdRate]


_QUEUE: Final = (
    "SELECT a.id, a.kind, a.incident_id, a.occurred_at, a.site_id, a.lat, a.lon, a.address, "
    "a.details, s.name AS site_name, r.id AS review_id, r.verdict, r.note, r.reviewer, "
    "r.reviewed_at, r.negative_photo_id, r.taught FROM alerts a "
    "LEFT JOIN sites s ON s.id = a.site_id "
    "LEFT JOIN recognition_reviews r ON r.id = "
    "(SELECT MAX(x.id) FROM recognition_reviews x WHERE x.alert_id = a.id) "
    "WHERE a.kind IN ({}, {}, {})"
)


def _details(raw: Any) -> dict[str, Any]:
    decoded = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    return decoded if isinstance(decoded, dict) else {}


def _review_of(row: dict[str, Any], id_column: str = "id") -> Review:
    return Review(
        id=row[id_column],
        alert_id=row["alert_id"],
        verdict=Verdict(row["verdict"]),
        note=row["note"],
        reviewer=row["reviewer"],
        reviewed_at=msgspec.convert(row["reviewed_at"], dt.datetime, strict=False),
        negative_photo_id=row["negative_photo_id"],
        taught=Taught(row["taught"]),
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _recognition(row: dict[str, Any]) -> Recognition:
    details = _details(row["details"])
    kind = AlertKind(row["kind"])
    face = kind is AlertKind.FACE_MATCH
    review = None
    if row["review_id"] is not None:
        review = _review_of({**row, "alert_id": row["id"]}, "review_id")
    return Recognition(
        alert_id=row["id"],
        kind=kind,
        incident_id=row["incident_id"],
        occurred_at=msgspec.convert(row["occurred_at"], dt.datetime, strict=False),
        site=SiteRef(
            id=row["site_id"],
            name=row["site_name"] or "",
            address=row["address"],
            lat=row["lat"],
            lon=row["lon"],
        ),
        camera_id=details.get("camera_id"),
        camera=str(details.get("camera", "")),
        subject=str(details.get("person" if face else "display", details.get("plate", ""))),
        person_id=details.get("person_id") if face else None,
        watchlist_id=details.get("watchlist_id" if face else "list_id"),
        watchlist=details.get("watchlist" if face else "list"),
        score=_number(details.get("similarity" if face else "confidence")),
        threshold=_number(details.get("threshold")),
        listed_plate=None if face else details.get("listed_plate"),
        possible=not face and details.get("possible") is True,
        crop_url=details.get("crop_url"),
        review=review,
    )


async def recent(
    db: Database, status: QueueStatus, limit: int, within: Condition = ANYTHING
) -> list[Recognition]:
    """The latest recognition alerts, newest first; only those with no verdict when asked;
    `within` (on `a`) is a scoped caller's reach."""
    sql = _QUEUE + (" AND r.id IS NULL" if status is QueueStatus.UNREVIEWED else "")
    sql, args = where(within, sql, (k.value for k in RECOGNITION_KINDS), more=True)
    rows = await db.fetch(sql + " ORDER BY a.id DESC LIMIT {}", *args, limit)
    return [_recognition(row) for row in rows]


async def history(db: Database, alert_id: int) -> list[Review]:
    rows = await db.fetch(
        "SELECT id, alert_id, verdict, note, reviewer, reviewed_at, negative_photo_id, taught "
        "FROM recognition_reviews WHERE alert_id = {} ORDER BY id",
        alert_id,
    )
    return [_review_of(row) for row in rows]


async def _recognition_alert(db: Database, alert_id: int) -> Recognition:
    row = await db.fetch_one(
        _QUEUE + " AND a.id = {}", *(k.value for k in RECOGNITION_KINDS), alert_id
    )
    if row is None:
        found = await db.fetch_one("SELECT id FROM alerts WHERE id = {}", alert_id)
        if found is None:
            raise NotFound(f"There is no alert with id {alert_id}.")
        raise Unprocessable(
            f"Alert {alert_id} is not a face or plate recognition and has no review.",
            code="not_a_recognition",
        )
    return _recognition(row)


async def _negative_for(rec: WatchlistRuntime, alert: Recognition, who: Principal) -> int | None:
    """Turn the face of a wrong face match into a negative example of the matched person; None
    when the person, the watchlist or the crop is gone."""
    crop_id = _crop_id(alert)
    if alert.person_id is None or alert.watchlist_id is None or crop_id is None:
        return None
    try:
        photo, _ = await watchlists.add_negative_from_crop(
            rec, alert.watchlist_id, alert.person_id, crop_id, actor=who
        )
    except NotFound:
        return None
    return photo.id


def _crop_id(alert: Recognition) -> int | None:
    if alert.crop_url is None:
        return None
    tail = alert.crop_url.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


async def _take_back_negative(
    rec: WatchlistRuntime, alert: Recognition, photo_id: int, who: Principal
) -> None:
    """A "wrong" verdict turned to "correct": its negative example goes again."""
    if alert.person_id is not None:
        await watchlists.remove_photo(rec, alert.person_id, photo_id, actor=who)


async def _teach_plate(
    db: Database, alert: Recognition, data: ReviewIn, previous: Review | None, who: Principal
) -> tuple[Taught, set[int]]:
    """Inside the verdict's write: a possible plate match marked wrong remembers its reading as
    not the list entry; turned to "correct", that is forgotten. Returns what was taught and the
    lists to reload once the write has committed."""
    if data.verdict is Verdict.WRONG:
        if not alert.possible or alert.watchlist_id is None or alert.listed_plate is None:
            return Taught.NOTHING, set()
        # The subject is the plate as read (display form); the not match keeps it folded.
        not_match = await plates.add_not_match(
            db, alert.watchlist_id, alert.listed_plate, alert.subject, alert.alert_id, actor=who
        )
        if not_match is None:  # the list is gone
            return Taught.NOTHING, set()
        return Taught.NOT_THIS_PLATE, {not_match.list_id}
    if previous is not None and previous.taught is Taught.NOT_THIS_PLATE:
        removed = await plates.remove_not_matches(db, alert.alert_id, actor=who)
        return Taught.NOTHING, {gone.list_id for gone in removed}
    return Taught.NOTHING, set()


async def review(
    rec: ReviewRuntime, alert_id: int, data: ReviewIn, who: Principal
) -> ReviewOutcome:
    """Store a verdict (once per change) and apply what it teaches."""
    db = rec.db
    alert = await _recognition_alert(db, alert_id)
    previous = alert.review
    if previous is not None and previous.verdict is data.verdict:
        return ReviewOutcome(
            review=previous, changed=False, replaced=None, history=await history(db, alert_id)
        )
    negative_id = None
    if data.verdict is Verdict.WRONG and alert.kind is AlertKind.FACE_MATCH:
        negative_id = await _negative_for(rec, alert, who)
    elif previous is not None and previous.negative_photo_id is not None:
        await _take_back_negative(rec, alert, previous.negative_photo_id, who)
    taught = Taught.NOTHING if negative_id is None else Taught.NEGATIVE_EXAMPLE
    reload: set[int] = set()
    now = dt.datetime.now(dt.UTC)
    async with db.write():
        if alert.kind is not AlertKind.FACE_MATCH:
            taught, reload = await _teach_plate(db, alert, data, previous, who)
        review_id = await insert_returning_id(
            db,
            "INSERT INTO recognition_reviews (alert_id, verdict, note, reviewer, "
            "negative_photo_id, taught, reviewed_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
            alert_id,
            data.verdict.value,
            data.note,
            who.actor,
            negative_id,
            taught.value,
            now,
        )
        if alert.incident_id is not None:
            await incidents_repository.find(db, alert.incident_id, lock=True)
            await incidents.record(
                db,
                EntryFacts(
                    incident_id=alert.incident_id,
                    at=now,
                    actor=who.actor,
                    kind="recognition_reviewed",
                    data={
                        "alert_id": alert_id,
                        "verdict": data.verdict.value,
                        "note": data.note,
                        "replaced": None if previous is None else previous.verdict.value,
                        "negative_photo_id": negative_id,
                        "taught": taught.value,
                    },
                ),
            )
    for list_id in sorted(reload):
        await plates.reload_list(rec, list_id)
    stored = Review(
        id=review_id,
        alert_id=alert_id,
        verdict=data.verdict,
        note=data.note,
        reviewer=who.actor,
        reviewed_at=now,
        negative_photo_id=negative_id,
        taught=taught,
    )
    return ReviewOutcome(
        review=stored,
        changed=True,
        replaced=None if previous is None else previous.verdict,
        history=await history(db, alert_id),
    )


@functools.cache
def threshold_rates() -> ThresholdRates:
    """The measured rates (read once from the file that ships in the recognition package)."""
    package, name = SCORES_RESOURCE
    data = resources.files(package).joinpath(name).read_bytes()
    return msgspec.json.decode(data, type=ThresholdRates)
