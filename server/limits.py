"""The limits that keep one process answering panels while someone opens connections by the
thousand: the open-files limit, the device ports' connection hygiene, and the API's HTTP server.

Every connection is a file descriptor. Linux starts a process with a soft limit of 1024, far
below the hard limit a service may raise it to itself; at 1024 a thousand idle connections from
anyone leave none for the next real panel (its connection is closed unanswered) or for the
database. So :func:`raise_open_files_limit` lifts the soft limit to the hard one at start-up and
says so, and warns when even the hard limit is too low to matter.
"""

from __future__ import annotations

import logging
import resource
from typing import Final

from device_gateway.transports.streams import StreamLimits
from server.settings import Settings

logger = logging.getLogger(__name__)

LOW_OPEN_FILES: Final = 4096
"""Below this hard limit, a few thousand devices and an attacker's connections do not fit."""
UNLIMITED_OPEN_FILES: Final = 1_048_576
"""What to ask for when the hard limit is "unlimited": Linux's default fs.nr_open, the most a
process may hold (asking for more fails)."""
API_KEEP_ALIVE_S: Final = 5
"""An idle keep-alive connection to the API holds a descriptor: browsers and tablets reopen one
in a round trip, so it is not kept long."""
API_MAX_HEADER_BYTES: Final = 16 * 1024
"""Request line and headers of an API request, at most (h11's default, stated). The parser is
h11, and each head has a deadline (``http_header_timeout_s``): server/http_protocol.py says why."""


def raise_open_files_limit() -> int:
    """Raise the soft open-files limit to the hard one; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = UNLIMITED_OPEN_FILES if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError) as err:
            logger.warning("could not raise the open-files limit from %d: %s", soft, err)
        else:
            soft = wanted
    logger.info("open-files limit: %d", soft)
    if hard != resource.RLIM_INFINITY and hard < LOW_OPEN_FILES:
        logger.warning(
            "the open-files hard limit is %d: too few for thousands of device connections; "
            "raise it to 65536 or more (systemd: LimitNOFILE=65536 in the unit; Docker: "
            "--ulimit nofile=65536; a shell: ulimit -Hn as root)",
            hard,
        )
    return int(soft)


def device_stream_limits(settings: Settings) -> StreamLimits:
    """The connection hygiene of every device port (DC-09, GT06, OsmAnd/IoT HTTP)."""
    return StreamLimits(
        connections_per_ip=settings.device_connections_per_ip,
        first_byte_timeout_s=settings.device_first_byte_timeout_s,
        idle_timeout_s=settings.device_idle_timeout_s,
    )
