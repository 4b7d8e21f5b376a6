"""Navigation links a crew tablet can open to drive to an incident."""

from __future__ import annotations

from urllib.parse import quote

import msgspec

from server.sites.schemas import SiteRef


class Destination(msgspec.Struct, frozen=True, kw_only=True):
    lat: float
    lon: float
    address: str
    geo: str
    yandex_navigator: str
    google_maps: str
    osmand: str


def destination_of(site: SiteRef) -> Destination | None:
    if site.lat is None or site.lon is None:
        return None
    lat, lon = f"{site.lat:.6f}", f"{site.lon:.6f}"
    label = quote(site.name or site.address or "incident")
    return Destination(
        lat=site.lat,
        lon=site.lon,
        address=site.address,
        geo=f"geo:{lat},{lon}?q={lat},{lon}({label})",
        yandex_navigator=f"yandexnavi://build_route_on_map?lat_to={lat}&lon_to={lon}",
        google_maps=f"https://www.google.com/maps/dir/?api=1&destination={lat},{lon}"
        "&travelmode=driving",
        osmand=f"https://osmand.net/go?lat={lat}&lon={lon}&z=17",
    )
