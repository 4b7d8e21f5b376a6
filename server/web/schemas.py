"""What the dispatcher page is told by the server before it draws anything."""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

QUEUE_AGING_S: Final[dict[int, int]] = {1: 60, 2: 5 * 60, 3: 15 * 60, 4: 30 * 60}
"""A pending incident of priority P is overdue after this many seconds (AwareCAD's defaults)."""


class WebConfig(msgspec.Struct, frozen=True, kw_only=True):
    map_tile_url: Annotated[
        str, msgspec.Meta(description="Tile URL template; empty: draw only the outline map.")
    ]
    basemap_url: Annotated[str, msgspec.Meta(description="GeoJSON outline of the city.")]
    position_stale_s: Annotated[
        float, msgspec.Meta(description="A crew position older than this is shown greyed.")
    ]
    unacknowledged_after_s: Annotated[
        float, msgspec.Meta(description="A dispatch not acknowledged this long is marked.")
    ]
    queue_aging_s: Annotated[
        dict[int, int], msgspec.Meta(description="Priority → seconds until a pending call is late.")
    ]
    time_zone: Annotated[
        str, msgspec.Meta(description="IANA time zone every date and time is shown in.")
    ]
