import argparse
import re

import pytest

from server.settings import Settings, SettingsError, flag_and_variable, load, redact
from server.settings_flags import DATABASE, add_arguments


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


def test_a_bad_value_names_the_flag_the_variable_and_the_value() -> None:
    with pytest.raises(SettingsError) as raised:
        load(_flags(), environ={"POSBON_HTTP_PORT": "eighty"})
    assert str(raised.value) == (
        "--http-port / POSBON_HTTP_PORT is 'eighty'; set it to a whole number from 0 to 65535"
    )


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"POSBON_OSMAND_PORT": "-2"}, "from -1 to 65535"),
        ({"POSBON_EVENT_LOOP": "trio"}, "one of asyncio, uvloop"),
        ({"POSBON_LOG_LEVEL": "chatty"}, "one of debug, info, warning, error, critical"),
        ({"POSBON_DISPATCH_RESEND_S": "soon"}, "set it to a number"),
        ({"POSBON_BUS_URL": "amqp://mq"}, "redis://HOST:PORT"),
        ({"POSBON_DATABASE_URL": "sqlite:///x"}, "or leave it empty for SQLite"),
    ],
)
def test_values_that_cannot_work_are_refused_with_what_to_set(
    environ: dict[str, str], says: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(says)):
        load(_flags(), environ=environ)


def test_a_port_of_minus_one_turns_a_tracker_listener_off_and_zero_picks_any() -> None:
    settings = load(_flags(), environ={"POSBON_GT06_PORT": "-1", "POSBON_DC09_PORT": "0"})
    assert (settings.gt06_port, settings.dc09_port) == (-1, 0)


def test_messages_hide_url_passwords() -> None:
    assert redact("postgresql://u:s3cret@db:5432/x and redis://:pw@r") == (
        "postgresql://u:***@db:5432/x and redis://:***@r"
    )
    assert redact("postgresql://u@db/x") == "postgresql://u@db/x"
    assert flag_and_variable("dc09_port") == "--dc09-port / POSBON_DC09_PORT"


def test_a_command_gets_only_the_flags_it_names() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser, DATABASE)
    flags = parser.parse_args(["--database-url", "postgresql://db/x"])
    assert load(flags, environ={}).database_url == "postgresql://db/x"
    with pytest.raises(SystemExit):
        parser.parse_args(["--http-port", "9000"])
    with pytest.raises(ValueError, match="not settings"):
        add_arguments(argparse.ArgumentParser(), ["http_prot"])


def test_the_time_zone_defaults_to_samarkand_and_takes_any_iana_name() -> None:
    assert load(_flags(), environ={}).time_zone == "Asia/Samarkand"
    assert load(_flags("--time-zone", "Europe/Moscow"), environ={}).time_zone == "Europe/Moscow"
    assert load(_flags(), environ={"POSBON_TIME_ZONE": "UTC"}).time_zone == "UTC"


@pytest.mark.parametrize("name", ["Mars/Olympus", "asia/samarkand", "", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused_naming_the_flag(name: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load(_flags("--time-zone", name), environ={})
    assert str(raised.value).startswith("--time-zone / POSBON_TIME_ZONE is ")
    assert "an IANA time zone name" in str(raised.value)
