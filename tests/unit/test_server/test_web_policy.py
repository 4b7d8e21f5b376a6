"""The page's Content-Security-Policy lets in nothing foreign but the configured tile server."""

from __future__ import annotations

import pytest

from server.web.policy import content_security_policy, tile_origin


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
        ("javascript:alert(1)", None),
        ("https://evil.example; script-src *", None),
        ("https://tiles.example/{z}/{x}/{y}.png?key=x", "https://tiles.example"),
    ],
)
def test_tile_origin_is_the_scheme_and_host_or_nothing(url: str, origin: str | None) -> None:
    assert tile_origin(url) == origin


def test_without_a_tile_server_every_source_is_self() -> None:
    policy = content_security_policy("")
    assert "img-src 'self' data: blob:" in policy
    assert "http" not in policy
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy


def test_a_tile_server_is_allowed_for_images_only() -> None:
    policy = content_security_policy("https://tiles.example/{z}/{x}/{y}.png")
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["img-src"].endswith("https://tiles.example")
    assert "tiles.example" not in directives["script-src"]
    assert "tiles.example" not in directives["connect-src"]
