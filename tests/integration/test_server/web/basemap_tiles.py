"""A small PMTiles vector basemap made for the tests: a few named streets and house numbers
around the demo's centre (Registan), in the Protomaps schema the vendored style draws
(`earth`, `roads` with `kind` and `name`, `buildings` with `kind: address`).

Made with the `pmtiles` writer and an MVT encoder from PyPI, as the README says a real city
extract is cut with `pmtiles extract`; the tests need no download and no npm.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import mapbox_vector_tile
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

EXTENT: Final = 4096
CENTRE: Final = (39.6548, 66.9757)  # lat, lon: Registan
MIN_ZOOM: Final = 12
MAX_ZOOM: Final = 15
"""MapLibre over-zooms the z15 tiles up to street level (house numbers show from z18)."""
MAJOR_STREET: Final = "Registon ko'chasi"
MINOR_STREET: Final = "Toshkent ko'chasi"
CYRILLIC_STREET: Final = "Тошкент йўли"
HOUSE_NUMBERS: Final = ("12", "14\u0410")  # a Cyrillic letter after the number
# (lat, lon) lines through and around the centre.
STREETS: Final[list[tuple[str, str, list[tuple[float, float]]]]] = [
    ("major_road", MAJOR_STREET, [(39.6548, 66.9650), (39.6548, 66.9860)]),
    ("minor_road", MINOR_STREET, [(39.6480, 66.9757), (39.6620, 66.9757)]),
    ("minor_road", CYRILLIC_STREET, [(39.6556, 66.9690), (39.6556, 66.9820)]),
]
ADDRESSES: Final[list[tuple[str, tuple[float, float]]]] = [
    (HOUSE_NUMBERS[0], (39.65505, 66.97530)),
    (HOUSE_NUMBERS[1], (39.65505, 66.97610)),
]


def _world(lat: float, lon: float) -> tuple[float, float]:
    """Web Mercator position in [0, 1)², y downwards."""
    x = (lon + 180.0) / 360.0
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0
    return x, y


def _tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    x, y = _world(lat, lon)
    return int(x * 2**zoom), int(y * 2**zoom)


def _local(lat: float, lon: float, zoom: int, tx: int, ty: int) -> tuple[float, float]:
    x, y = _world(lat, lon)
    return (x * 2**zoom - tx) * EXTENT, (y * 2**zoom - ty) * EXTENT


def _wkt_line(points: Iterable[tuple[float, float]]) -> str:
    return "LINESTRING (" + ", ".join(f"{x:.1f} {y:.1f}" for x, y in points) + ")"


def _tile(zoom: int, tx: int, ty: int) -> bytes:
    earth = {
        "geometry": f"POLYGON ((0 0, {EXTENT} 0, {EXTENT} {EXTENT}, 0 {EXTENT}, 0 0))",
        "properties": {"kind": "earth"},
    }
    roads: list[dict[str, Any]] = [
        {
            "geometry": _wkt_line(_local(lat, lon, zoom, tx, ty) for lat, lon in line),
            "properties": {"kind": kind, "name": name, "min_zoom": 10},
        }
        for kind, name, line in STREETS
    ]
    addresses: list[dict[str, Any]] = [
        {
            "geometry": "POINT ({:.1f} {:.1f})".format(*_local(lat, lon, zoom, tx, ty)),
            "properties": {"kind": "address", "addr_housenumber": number},
        }
        for number, (lat, lon) in ADDRESSES
    ]
    layers = [
        {"name": "earth", "features": [earth]},
        {"name": "roads", "features": roads},
        {"name": "buildings", "features": addresses},
    ]
    options = {"extents": EXTENT, "y_coord_down": True, "on_invalid_geometry": None}
    encoded: bytes = mapbox_vector_tile.encode(layers, default_options=options)
    return encoded


def write_city(path: Path) -> Path:
    """Write the archive to `path` (tiles around the centre, z12 to z15) and return it."""
    (south, west), (north, east) = (39.640, 66.960), (39.670, 66.990)
    tiles: dict[int, bytes] = {}
    for zoom in range(MIN_ZOOM, MAX_ZOOM + 1):
        x0, y0 = _tile_of(north, west, zoom)
        x1, y1 = _tile_of(south, east, zoom)
        for tx in range(x0, x1 + 1):
            for ty in range(y0, y1 + 1):
                tiles[zxy_to_tileid(zoom, tx, ty)] = _tile(zoom, tx, ty)
    with path.open("wb") as file:
        writer = Writer(file)  # type: ignore[no-untyped-call]
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id])  # type: ignore[no-untyped-call]
        writer.finalize(  # type: ignore[no-untyped-call]
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.NONE,
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": 14,
                "center_lon_e7": int(CENTRE[1] * 1e7),
                "center_lat_e7": int(CENTRE[0] * 1e7),
            },
            {
                "name": "posbon-test-city",
                "vector_layers": [
                    {"id": "earth", "fields": {}},
                    {"id": "roads", "fields": {"kind": "String", "name": "String"}},
                    {"id": "buildings", "fields": {"addr_housenumber": "String"}},
                ],
            },
        )
    return path
