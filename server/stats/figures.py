"""Sans-I/O arithmetic for the published figures: percentiles and interval phases."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence

from server.stats.schemas import Interval

# The milestones of an incident, in order; "received" is incidents.created_at.
MILESTONES: tuple[str, ...] = ("received", "dispatched", "acknowledged", "on_scene")
# Each published interval: name, from milestone, to milestone. On scene counts from received,
# because that is the wait the caller experiences.
PHASES: tuple[tuple[str, str, str], ...] = (
    ("dispatch", "received", "dispatched"),
    ("acknowledge", "dispatched", "acknowledged"),
    ("on_scene", "received", "on_scene"),
)
MEDIAN = 0.5
P90 = 0.9


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), None when empty.

    Rounded to the millisecond: the inputs are timestamps, so finer digits are float noise.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 3)


def phase_seconds(
    incidents: Iterable[Mapping[str, dt.datetime | None]], start: str, end: str
) -> list[float]:
    """Seconds between two milestones, for the incidents that reached both."""
    seconds = []
    for times in incidents:
        begun, reached = times.get(start), times.get(end)
        if begun is not None and reached is not None:
            seconds.append((reached - begun).total_seconds())
    return seconds


def intervals(
    incidents: Sequence[Mapping[str, dt.datetime | None]], targets_s: Mapping[str, float]
) -> list[Interval]:
    result = []
    for name, start, end in PHASES:
        seconds = phase_seconds(incidents, start, end)
        p90 = percentile(seconds, P90)
        target = targets_s[name]
        result.append(
            Interval(
                name=name,
                start=start,
                end=end,
                count=len(seconds),
                p50_s=percentile(seconds, MEDIAN),
                p90_s=p90,
                target_s=target,
                p90_within_target=None if p90 is None else p90 <= target,
            )
        )
    return result
