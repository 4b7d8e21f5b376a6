"""`posbon` refusing to start as a person at a terminal meets it: one `posbon: …` line naming the
flag and the variable to change and the value that failed, exit status 2, no traceback; and each
command's --help listing the settings it reads."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from server.settings import Settings, flag_and_variable
from tests.conftest import free_port, posbon

pytestmark = pytest.mark.integration

NO_DEVICE_PORTS = (
    *("--dc09-port", "0", "--osmand-port", "-1"),
    *("--gt06-port", "-1", "--teltonika-port", "-1"),
)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """Everything on stderr, which must be a single `posbon: …` line, and the status 2."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("posbon: ")
    return lines[0]


@pytest.mark.parametrize(
    ("args", "environ", "says"),
    [
        (("serve", "--http-port", "abc"), {}, "--http-port / POSBON_HTTP_PORT is 'abc'; set it"),
        (("serve",), {"POSBON_HTTP_PORT": "abc"}, "--http-port / POSBON_HTTP_PORT is 'abc'; set"),
        (
            ("serve", "--http-port", "70000"),
            {},
            "'70000'; set it to a whole number from 0 to 65535",
        ),
        (("demo", "--event-loop", "foo"), {}, "--event-loop / POSBON_EVENT_LOOP is 'foo'; set it"),
        (("migrate", "--log-level", "loud"), {}, "--log-level / POSBON_LOG_LEVEL is 'loud'; set"),
        (
            ("migrate",),
            {"POSBON_DATABASE_URL": "mysql://root:hunter2@db/x"},
            "--database-url / POSBON_DATABASE_URL is 'mysql://root:***@db/x'; set it",
        ),
    ],
)
def test_a_value_that_cannot_work_names_its_flag_its_variable_and_the_value(
    args: tuple[str, ...],
    environ: dict[str, str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)  # the child inherits it
    line = one_line(posbon(*args, "--data-dir", str(tmp_path)))
    assert says in line
    assert "hunter2" not in line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://postgres:hunter2@127.0.0.1:1/x", "nothing answers there"),
        ("postgresql://postgres:hunter2@no-such-host.invalid/x", "does not resolve"),
    ],
)
@pytest.mark.parametrize("command", ["migrate", "token", "serve"])
def test_a_database_that_does_not_answer_is_one_line_without_its_password(
    url: str, says: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSBON_DATABASE_URL", url)
    args = {
        "migrate": ("migrate",),
        "token": ("token", "create", "--role", "admin", "--name", "ops"),
        "serve": ("serve", "--http-port", str(free_port()), *NO_DEVICE_PORTS),
    }[command]
    line = one_line(posbon(*args, "--data-dir", str(tmp_path)))
    assert line.startswith("posbon: --database-url / POSBON_DATABASE_URL: ")
    assert says in line
    assert "hunter2" not in line
    assert url.replace("hunter2", "***") in line


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("database", "user", "says"),
    [
        ("posbon_no_such_database", "postgres", "create that database"),
        ("postgres", "posbon_no_such_role", "the login was refused"),
    ],
)
def test_postgresql_refusing_the_login_or_lacking_the_database_says_what_to_correct(
    database: str, user: str, says: str, postgres_url: str, tmp_path: Path
) -> None:
    host = postgres_url.split("@", 1)[1].split("/", 1)[0]
    url = f"postgresql://{user}:hunter2@{host}/{database}"
    line = one_line(posbon("migrate", "--database-url", url, "--data-dir", str(tmp_path)))
    assert line.startswith("posbon: --database-url / POSBON_DATABASE_URL: ")
    assert says in line
    assert "hunter2" not in line


def test_a_data_directory_sqlite_cannot_use_names_the_data_dir(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")
    line = one_line(posbon("migrate", "--data-dir", str(not_a_directory)))
    assert line.startswith("posbon: --data-dir / POSBON_DATA_DIR: ")
    assert str(not_a_directory) in line


@pytest.mark.parametrize("setting", ["http_port", "dc09_port"])
def test_a_port_in_use_names_its_flag_its_variable_and_the_port(
    setting: str, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = {"http_port": free_port(), "dc09_port": 0, setting: port}
        flags = [f"--{name.replace('_', '-')}={value}" for name, value in ports.items()]
        result = posbon("serve", "--data-dir", str(tmp_path), *flags, *NO_DEVICE_PORTS[2:])
    line = one_line(result)
    assert line.startswith(f"posbon: {flag_and_variable(setting)}: port {port} ")
    assert "in use" in line


def test_a_command_that_needs_models_never_prepared_says_how_to_prepare_them(
    tmp_path: Path,
) -> None:
    person = tmp_path / "people" / "someone"
    person.mkdir(parents=True)
    (person / "photo.jpg").write_bytes(b"")  # never read: the models are missing first
    result = posbon(
        "watchlist",
        "import",
        str(tmp_path / "people"),
        "--data-dir",
        str(tmp_path / "var"),
        "--model-wheel-dir",
        str(tmp_path / "no-wheels"),
    )
    line = one_line(result)
    assert line.startswith("posbon: --model-dir / POSBON_MODEL_DIR: ")
    assert "posbon models prepare" in line
    assert "make setup" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--role", "crew", "--crew", "999"), "There is no crew with id 999"),
        (("--role", "admin", "--crew", "1"), "leave out --crew"),
        (("--role", "crew"), "add --crew CREW_ID"),
    ],
)
def test_a_token_for_a_crew_that_cannot_hold_one_is_refused_in_a_sentence(
    args: tuple[str, ...], says: str, tmp_path: Path
) -> None:
    result = posbon("token", "create", "--name", "tablet-9", *args, "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""  # no token was issued
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert says in result.stderr


def help_text(*command: str) -> str:
    result = posbon(*command, "--help")
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())  # argparse wraps to the terminal's width


def test_serve_help_names_every_setting_with_its_variable_and_default() -> None:
    text = help_text("serve")
    assert "--http-port HTTP_PORT HTTP, WebSocket and web view port." in text
    assert "(env POSBON_HTTP_PORT, default 8000)" in text
    assert "(env POSBON_LOG_JSON=true)" in text
    for name in Settings.__struct_fields__:
        assert f"env POSBON_{name.upper()}" in text, name


@pytest.mark.parametrize(
    ("command", "listed", "left_out"),
    [
        (
            ("models", "prepare"),
            {"--model-dir", "--model-wheel-dir", "--data-dir"},
            {"--http-port"},
        ),
        (("migrate",), {"--database-url", "--data-dir", "--log-level"}, {"--http-port"}),
        (("token", "create"), {"--database-url", "--role", "--crew"}, {"--dc09-port"}),
        (("sync", "compact"), {"--sync-log-retention-s", "--database-url"}, {"--http-port"}),
        (("custody", "verify"), {"--evidence-s3-url", "--database-url"}, {"--model-dir"}),
        (("db", "copy"), {"--from", "--to", "--log-level"}, {"--data-dir", "--database-url"}),
        (("recognition", "eval"), {"--recognition-threads"}, {"--database-url"}),
    ],
)
def test_each_command_lists_only_the_settings_it_reads(
    command: tuple[str, ...], listed: set[str], left_out: set[str]
) -> None:
    flags = set(help_text(*command).replace("[", " ").replace("]", " ").split())
    assert listed <= flags
    assert not left_out & flags


def test_panel_send_help_shows_every_default() -> None:
    text = help_text("panel", "send")
    for default in ("127.0.0.1", "12128", "(default 120)", "(default 0)", "(default 5.0)"):
        assert default in text
