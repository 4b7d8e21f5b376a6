import pytest

from server.geo import haversine_m


def test_zero_distance() -> None:
    assert haversine_m(39.65, 66.96, 39.65, 66.96) == 0.0


def test_registan_to_railway_station_is_about_six_km() -> None:
    assert haversine_m(39.6548, 66.9757, 39.6772, 66.9074) == pytest.approx(6_300, rel=0.05)


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=0.001)
