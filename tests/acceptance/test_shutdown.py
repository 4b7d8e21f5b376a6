"""The end of each served variant's life: Ctrl+C stops `posbon serve` with status 0, and nothing
it logged from its start to its stop is a Traceback. The conftest runs this after every other
test of the same variant, so the log it reads holds every door's traffic."""

from __future__ import annotations

import pytest

from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance


def test_serve_stops_on_ctrl_c_with_status_0_and_no_traceback_in_its_whole_log(
    served: ServedPosbon,
) -> None:
    served.assert_clean_exit()
