"""How long a crew needs to reach a place: a road engine when one is configured, else an estimate.

`StraightLineEstimate` multiplies the great-circle distance by a detour factor and divides by an
urban speed; its results say `estimate`. `OsrmTable` asks an OSRM server's `table` service and
`ValhallaMatrix` a Valhalla server's `sources_to_targets` for road durations and distances, all
crews in one request; both fall back to the estimate when the engine cannot answer.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Sequence
from typing import Final, Literal

import httpx
import msgspec

from server.geo import haversine_m

logger = logging.getLogger(__name__)

DEFAULT_DETOUR_FACTOR: Final = 1.4
DEFAULT_SPEED_KMH: Final = 40.0
OSRM_TIMEOUT_S: Final = 2.0
ENGINES: Final = ("osrm", "valhalla")
Point = tuple[float, float]  # (lat, lon)


class Eta(msgspec.Struct, frozen=True):
    distance_m: float
    duration_s: float
    source: Literal["road", "estimate"]


class EtaEstimator(abc.ABC):
    @abc.abstractmethod
    async def etas(self, origins: Sequence[Point], destination: Point) -> list[Eta]:
        """One Eta per origin, in order."""


class StraightLineEstimate(EtaEstimator):
    def __init__(
        self, detour_factor: float = DEFAULT_DETOUR_FACTOR, speed_kmh: float = DEFAULT_SPEED_KMH
    ) -> None:
        self.detour_factor = detour_factor
        self.speed_m_per_s = speed_kmh * 1000 / 3600

    def one(self, origin: Point, destination: Point) -> Eta:
        road_m = haversine_m(*origin, *destination) * self.detour_factor
        return Eta(distance_m=road_m, duration_s=road_m / self.speed_m_per_s, source="estimate")

    async def etas(self, origins: Sequence[Point], destination: Point) -> list[Eta]:
        return [self.one(origin, destination) for origin in origins]


class OsrmTable(EtaEstimator):
    def __init__(self, base_url: str, fallback: StraightLineEstimate) -> None:
        self.base_url = base_url.rstrip("/")
        self.fallback = fallback

    async def etas(self, origins: Sequence[Point], destination: Point) -> list[Eta]:
        if not origins:
            return []
        points = ";".join(f"{lon},{lat}" for lat, lon in (*origins, destination))
        sources = ";".join(str(index) for index in range(len(origins)))
        url = (
            f"{self.base_url}/table/v1/driving/{points}?sources={sources}"
            f"&destinations={len(origins)}&annotations=duration,distance"
        )
        try:
            async with httpx.AsyncClient(timeout=OSRM_TIMEOUT_S) as client:
                answer = (await client.get(url)).raise_for_status().json()
            return [
                Eta(
                    distance_m=float(answer["distances"][i][0]),
                    duration_s=float(answer["durations"][i][0]),
                    source="road",
                )
                for i in range(len(origins))
            ]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as err:
            logger.warning("routing engine unavailable (%s); using straight-line estimates", err)
            return await self.fallback.etas(origins, destination)


class ValhallaMatrix(EtaEstimator):
    """Valhalla's matrix service: ``POST /sources_to_targets``; distances come in kilometres,
    and a pair with no road between them has no time (that crew gets the estimate)."""

    def __init__(self, base_url: str, fallback: StraightLineEstimate) -> None:
        self.base_url = base_url.rstrip("/")
        self.fallback = fallback

    async def etas(self, origins: Sequence[Point], destination: Point) -> list[Eta]:
        if not origins:
            return []
        body = {
            "sources": [{"lat": lat, "lon": lon} for lat, lon in origins],
            "targets": [{"lat": destination[0], "lon": destination[1]}],
            "costing": "auto",
            "units": "kilometers",
        }
        try:
            async with httpx.AsyncClient(timeout=OSRM_TIMEOUT_S) as client:
                answer = (
                    (await client.post(f"{self.base_url}/sources_to_targets", json=body))
                    .raise_for_status()
                    .json()
                )
            rows = answer["sources_to_targets"]
            return [self._eta(rows[i][0], origin, destination) for i, origin in enumerate(origins)]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as err:
            logger.warning("routing engine unavailable (%s); using straight-line estimates", err)
            return await self.fallback.etas(origins, destination)

    def _eta(self, cell: dict[str, float | None], origin: Point, destination: Point) -> Eta:
        time_s, distance_km = cell.get("time"), cell.get("distance")
        if time_s is None or distance_km is None:
            return self.fallback.one(origin, destination)
        return Eta(distance_m=float(distance_km) * 1000, duration_s=float(time_s), source="road")


def make_estimator(
    routing_url: str, detour_factor: float, speed_kmh: float, engine: str = "osrm"
) -> EtaEstimator:
    estimate = StraightLineEstimate(detour_factor, speed_kmh)
    if not routing_url:
        return estimate
    if engine == "valhalla":
        return ValhallaMatrix(routing_url, estimate)
    return OsrmTable(routing_url, estimate)
