"""Binding the server's ports: a port that cannot be bound stops the start with one line naming
the setting to change (its flag and its variable), never a traceback. Each device protocol's port
is its ``<name>_port`` setting (:mod:`device_gateway.registry`)."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator

from device_gateway.registry import DeviceProtocol
from server.settings import Settings, SettingsError, flag_and_variable


def bind_failure(setting: str, host: str, port: int, err: OSError) -> SettingsError:
    """The error for a listener that cannot bind ``host:port``, set by the setting ``setting``."""
    where = flag_and_variable(setting)
    if err.errno == errno.EADDRINUSE:
        why = "is in use by another program; stop it or choose a free port"
    elif err.errno == errno.EACCES:
        why = "needs privileges this process lacks; choose a port above 1023"
    elif err.errno == errno.EADDRNOTAVAIL:
        why = "is on an address this machine does not have; check --host / POSBON_HOST"
    else:
        why = f"cannot be bound ({err.strerror or err})"
    return SettingsError(f"{where}: port {port} on {host} {why}")


@contextlib.contextmanager
def binding(setting: str, host: str, port: int) -> Iterator[None]:
    """Turn an OSError raised while binding inside the block into :func:`bind_failure`."""
    try:
        yield
    except OSError as err:
        raise bind_failure(setting, host, port, err) from err


def configured_port(settings: Settings, protocol: DeviceProtocol) -> int:
    """The port a device protocol's setting asks for (-1: off, 0: any free port)."""
    port = getattr(settings, protocol.setting, None)
    if not isinstance(port, int):  # a registry line without its setting: the code is wrong
        raise SettingsError(f"{protocol.title} has no integer setting {protocol.setting!r}")
    return port
