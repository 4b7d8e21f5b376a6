"""What the crew app's service worker caches and how its version follows the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.crew_app import routes, shell


def test_every_shell_url_names_a_file_the_server_has() -> None:
    files = shell.shell_files(routes.STATIC_DIR)
    urls = shell.shell_urls(routes.STATIC_DIR, files)
    assert urls[:2] == [shell.SHELL_URL, shell.MANIFEST_URL]
    for url in urls:
        if url.startswith(shell.STATIC_URL + "/"):
            assert (routes.STATIC_DIR / url.removeprefix(shell.STATIC_URL + "/")).is_file(), url
    assert "/crew/static/js/main.js" in urls
    assert not any(url.endswith(".html") for url in urls)  # the page is cached as /crew/


def test_every_module_the_page_imports_is_cached() -> None:
    urls = set(shell.shell_urls(routes.STATIC_DIR, shell.shell_files(routes.STATIC_DIR)))
    scripts = (routes.STATIC_DIR / "js").glob("*.js")
    imported = {
        match
        for script in scripts
        for match in re.findall(r'from "([^"]+)"', script.read_text(encoding="utf-8"))
    }
    for name in imported:
        url = name if name.startswith("/") else f"{shell.STATIC_URL}/js/{name.removeprefix('./')}"
        assert url in urls, name


def test_the_version_changes_with_any_byte_and_only_then() -> None:
    same = shell.shell_version([b"a", b"bc"])
    assert shell.shell_version([b"a", b"bc"]) == same
    assert shell.shell_version([b"a", b"bd"]) != same
    assert shell.shell_version([b"ab", b"c"]) != same  # boundaries count, not only the bytes
    assert len(same) == shell.VERSION_CHARS


def test_the_worker_template_is_filled_in() -> None:
    script = routes.worker_script().decode()
    assert shell.FILES_MARK not in script
    assert shell.VERSION_MARK not in script
    listed = re.search(r"const SHELL = (\[.*?\]);", script)
    assert listed is not None
    assert json.loads(listed.group(1))[0] == shell.SHELL_URL


def test_only_listed_suffixes_are_cached(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "index.html").write_text("x", encoding="utf-8")
    files = shell.shell_files(tmp_path)
    assert [path.name for path in files] == ["index.html", "a.js"]
    assert shell.shell_urls(tmp_path, files)[2] == "/crew/static/js/a.js"
