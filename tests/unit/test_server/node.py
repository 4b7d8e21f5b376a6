"""Node, which the unit tests of the web apps' ES modules run them with."""

from __future__ import annotations

import os
import shutil

import pytest


def node() -> str:
    """The `node` on PATH; a test without it skips locally and fails in CI."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install node (apt-get install -y nodejs)")
        pytest.skip("no node to run the web apps' modules (apt-get install -y nodejs)")
    return found
