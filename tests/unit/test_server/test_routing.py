import pytest

from server.incidents.navigation import destination_of
from server.routing import StraightLineEstimate
from server.sites.schemas import SiteRef

REGISTAN = (39.6548, 66.9757)
STATION = (39.6772, 66.9074)


async def test_the_estimate_applies_the_detour_factor_and_speed() -> None:
    estimate = StraightLineEstimate(detour_factor=1.5, speed_kmh=36)
    (eta,) = await estimate.etas([STATION], REGISTAN)
    assert eta.source == "estimate"
    assert eta.distance_m == pytest.approx(6_300 * 1.5, rel=0.05)
    assert eta.duration_s == pytest.approx(eta.distance_m / 10.0)


def test_navigation_links_point_at_the_site() -> None:
    site = SiteRef(name="School No. 1", address="Mirzo Ulug'bek 12", lat=39.658, lon=66.954)
    destination = destination_of(site)
    assert destination is not None
    assert destination.geo == "geo:39.658000,66.954000?q=39.658000,66.954000(School%20No.%201)"
    assert "lat_to=39.658000&lon_to=66.954000" in destination.yandex_navigator
    assert "destination=39.658000,66.954000" in destination.google_maps
    assert "lat=39.658000&lon=66.954000" in destination.osmand
    assert destination_of(SiteRef(address="somewhere")) is None
