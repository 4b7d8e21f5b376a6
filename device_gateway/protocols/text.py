"""Text a device sends that is bound for storage."""

from device_gateway.errors import MalformedFrameError


def refuse_nul(what: str, *texts: str | None) -> None:
    """A NUL character is never meaningful from a device, and PostgreSQL cannot store or even
    compare text holding one: refuse it here, as the device's error, before it reaches a query
    (where it would fail the whole batch it was committed with)."""
    if any(text and "\x00" in text for text in texts):
        raise MalformedFrameError(f"{what} holds a NUL character")
