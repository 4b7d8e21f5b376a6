import argparse

import pytest

from server.settings import Settings, SettingsError, add_arguments, load


def _flags(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_need_no_environment() -> None:
    settings = load(_flags(), environ={})
    assert settings == Settings()
    assert settings.data_dir == "./var"
    assert not settings.uses_postgres


def test_environment_overrides_defaults_and_flags_override_environment() -> None:
    environ = {
        "POSBON_HTTP_PORT": "9000",
        "POSBON_DATA_DIR": "/srv/posbon",
        "POSBON_DATABASE_URL": "postgresql://db/posbon",
    }
    settings = load(_flags("--http-port", "9100", "--log-json"), environ=environ)
    assert settings.http_port == 9100
    assert settings.data_dir == "/srv/posbon"
    assert settings.uses_postgres
    assert settings.log_json is True


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="http_port"):
        load(_flags(), environ={"POSBON_HTTP_PORT": "eighty"})
