"""`make screenshots`: Posbon's pages with live demo data, rendered by Debian's Chromium.

Starts a real `posbon demo` on a temporary data directory and free ports, waits until its
simulator has raised several incidents and sent crews out, makes tokens with `posbon token
create` (the same path an operator uses), then takes every shot in SHOTS and writes it to
docs/<name>.png: the dispatcher page at 1366x768 (the smallest screen a monitoring centre uses) and
the crew app on a 800x1280 tablet, each in the day and the night scheme, and each once in Uzbek;
and a bank alarm's action plan and key-holders as the demo's dispatcher works through them.
`--only NAME` (repeatable) takes just those shots.
Nothing needs the internet: the page, its map and the browser (/usr/bin/chromium, never
`playwright install`) are all local.

To add a page, write a function that brings it to the state worth showing and add a Shot.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

logger = logging.getLogger("screenshots")

CHROMIUM: Final = Path("/usr/bin/chromium")
BROWSER_FLAGS: Final = (
    "--no-sandbox",  # runs as root in containers
    "--disable-gpu",
    "--enable-unsafe-swiftshader",  # WebGL on the CPU, for the MapLibre basemap
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--disable-background-networking",
    "--disable-component-update",
)
DESK: Final = (1366, 768)
TABLET: Final = (800, 1280)
LANGUAGE_KEY: Final = "posbon.lang"
"""Where both apps remember the reader's language (localStorage)."""
STARTUP_TIMEOUT_S: Final = 60.0
DEMO_WARMUP_TIMEOUT_S: Final = 120.0
POLL_S: Final = 0.5
# The simulator raises an alert every 8 s and dispatches it 4 s later: wait for a screenful.
MIN_INCIDENTS: Final = 5
PAGE_TIMEOUT_MS: Final = 20_000
# A fresh pending incident keeps its recommendation line only until the simulator dispatches it.
PENDING_ATTEMPTS: Final = 5
# The demo's dispatcher marks a plan step every 5 s once a crew is sent (server/demo/desk.py):
# a shot waits for the step it shows, which takes about 15 s after the alarm.
PLAN_STEP_TIMEOUT_MS: Final = 40_000
PLAN_ATTEMPTS: Final = 3


class ScreenshotError(RuntimeError):
    """The demo or the page did not reach the state a shot needs."""


class Demo:
    """A `posbon demo` child process on its own data directory and ports."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = _free_port()
        self.http = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._tokens: dict[tuple[str, int | None], str] = {}

    def _env(self) -> dict[str, str]:
        # Defaults a developer's shell may have changed would leak into the demo otherwise.
        env = {name: value for name, value in os.environ.items() if not name.startswith("POSBON_")}
        return env | {
            "POSBON_DATA_DIR": str(self.data_dir),
            "POSBON_DC09_PORT": "0",
            "POSBON_OSMAND_PORT": "0",
            "POSBON_GT06_PORT": "0",
            "POSBON_TELTONIKA_PORT": "0",
        }

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
                [sys.executable, "-m", "server", "demo", "--http-port", str(self.port)],
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ScreenshotError(f"posbon demo exited early; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.http + "/health", timeout=1).status_code == 200:
                    return
            time.sleep(POLL_S)
        raise ScreenshotError(f"posbon demo was not healthy in {STARTUP_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)

    def token(self, role: str, crew_id: int | None = None) -> str:
        """A bearer token from `posbon token create` against the demo's own database."""
        key = (role, crew_id)
        if key not in self._tokens:
            command = [sys.executable, "-m", "server", "token", "create"]
            command += ["--role", role, "--name", f"screenshots {role}"]
            if crew_id is not None:
                command += ["--crew", str(crew_id)]
            done = subprocess.run(  # noqa: S603  (our own interpreter and module)
                command, env=self._env(), capture_output=True, check=True, timeout=60
            )
            self._tokens[key] = done.stdout.decode().strip().splitlines()[-1]
        return self._tokens[key]

    def get_one(self, path: str) -> dict[str, object]:
        headers = {"Authorization": f"Bearer {self.token('dispatcher')}"}
        response = httpx.get(self.http + path, headers=headers, timeout=10)
        response.raise_for_status()
        item: dict[str, object] = response.json()
        return item

    def get(self, path: str) -> list[dict[str, object]]:
        headers = {"Authorization": f"Bearer {self.token('dispatcher')}"}
        response = httpx.get(self.http + path, headers=headers, timeout=10)
        response.raise_for_status()
        items: list[dict[str, object]] = response.json()
        return items

    def wait_until_busy(self) -> None:
        """Several incidents raised, and at least one crew driving or on scene."""
        deadline = time.monotonic() + DEMO_WARMUP_TIMEOUT_S
        while time.monotonic() < deadline:
            incidents = self.get("/api/v1/incidents?limit=100")
            moving = [c for c in self.get("/api/v1/crews") if c["status"] == "en_route"]
            if len(incidents) >= MIN_INCIDENTS and moving:
                logger.info("demo has %d incidents, %d crews en route", len(incidents), len(moving))
                return
            time.sleep(POLL_S)
        raise ScreenshotError(f"the demo had too little going on after {DEMO_WARMUP_TIMEOUT_S} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def sign_in_dispatcher(page: Page, demo: Demo) -> None:
    page.goto(demo.http + "/")
    page.locator("#token").fill(demo.token("dispatcher"))
    page.locator("#signin-form [type=submit]").click()
    html = page.locator("html")
    expect(html).to_have_attribute("data-relay", "live", timeout=PAGE_TIMEOUT_MS)
    expect(html).to_have_attribute("data-state", "loaded", timeout=PAGE_TIMEOUT_MS)


def _newest_pending(page: Page, tried: set[str]) -> str:
    """Wait for a pending incident not tried yet; the simulator raises one every few seconds."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        ids: list[str] = page.locator("#pending tbody tr").evaluate_all(
            "rows => rows.map(row => row.dataset.incidentId)"
        )
        fresh = [incident_id for incident_id in ids if incident_id not in tried]
        if fresh:
            return fresh[-1]
        page.wait_for_timeout(200)
    raise ScreenshotError("no new pending incident appeared")


def _recommendation_shown(page: Page, demo: Demo, incident_id: str) -> bool:
    route = page.locator("path.recommended-route")
    incident = demo.get_one(f"/api/v1/incidents/{incident_id}")
    return route.count() == 1 and incident["status"] == "new"


def dispatcher_with_open_incident(page: Page, demo: Demo, target: Path) -> None:
    """The queue, map and crews, with a fresh incident open: timeline, recommended crew, line."""
    sign_in_dispatcher(page, demo)
    tried: set[str] = set()
    for _ in range(PENDING_ATTEMPTS):
        incident_id = _newest_pending(page, tried)
        tried.add(incident_id)
        page.locator(f'#pending tr[data-incident-id="{incident_id}"] button.open').click()
        with contextlib.suppress(AssertionError):
            expect(page.locator("path.recommended-route")).to_have_count(1)
            expect(page.locator("#dispatch-reason")).not_to_be_empty()
            expect(page.locator("#timeline li").first).to_be_visible()
            page.mouse.move(0, 0)  # no hover tooltips in the picture
            page.screenshot(path=target, full_page=True)
            # The line only goes once the incident is dispatched, and never comes back for it:
            # seen before and after, it is in the picture.
            if _recommendation_shown(page, demo, incident_id):
                return
        logger.info("incident #%s was dispatched before the shot; trying a newer one", incident_id)
    raise ScreenshotError("every pending incident was dispatched before it could be shown")


def dispatcher_statistics(page: Page, demo: Demo, target: Path) -> None:
    """The statistics panel open over the live view."""
    sign_in_dispatcher(page, demo)
    page.locator("#stats-toggle").click()
    expect(page.locator("#stats")).to_have_attribute("data-state", "loaded")
    page.locator("#stats-title").blur()
    page.screenshot(path=target, full_page=False)


def crew_tablet(page: Page, demo: Demo, target: Path) -> None:
    """The crew app on a demo crew's tablet, just after it acknowledged a fresh dispatch."""
    crew = next(c for c in demo.get("/api/v1/crews") if c["status"] == "available")
    crew_id = int(str(crew["id"]))
    page.goto(demo.http + "/crew/")
    page.locator("#token").fill(demo.token("crew", crew_id))
    page.locator("#signin-form [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("data-link", "live", timeout=PAGE_TIMEOUT_MS)
    sites = [site for site in demo.get("/api/v1/sites") if site.get("lat") is not None]
    headers = {"Authorization": f"Bearer {demo.token('dispatcher')}"}
    alert = httpx.post(
        demo.http + "/api/v1/alerts",
        json={"kind": "panic", "site_id": sites[0]["id"]},
        headers=headers,
        timeout=10,
    )
    alert.raise_for_status()
    incident_id = alert.json()["incident_id"]
    sent = httpx.post(
        f"{demo.http}/api/v1/incidents/{incident_id}/dispatch",
        json={"crew_id": crew_id},
        headers=headers,
        timeout=10,
    )
    sent.raise_for_status()
    page.locator("#alert-ack").click()
    expect(page.locator('#outbox li[data-state="sent"]').first).to_be_visible()
    page.mouse.move(0, 0)
    page.screenshot(path=target, full_page=False)


def _raise_alarm(demo: Demo, kind: str, site_name: str) -> str:
    """An alarm at the named demo site, raised over the API; its incident's id."""
    site = next(site for site in demo.get("/api/v1/sites") if site["name"] == site_name)
    headers = {"Authorization": f"Bearer {demo.token('dispatcher')}"}
    body = {"kind": kind, "site_id": site["id"], "description": "zone 4: vault corridor"}
    alert = httpx.post(demo.http + "/api/v1/alerts", json=body, headers=headers, timeout=10)
    alert.raise_for_status()
    return str(alert.json()["incident_id"])


def _open_incident(page: Page, incident_id: str) -> None:
    page.locator(f'tr[data-incident-id="{incident_id}"] button.open').first.click()
    expect(page.locator("#incident-title")).to_contain_text(f"#{incident_id}")


def _scroll_to(page: Page, selector: str) -> None:
    """Bring a section of the incident column to its top (the column scrolls, not the page),
    between two of the simulator's panics: its P1 banner would push the section down."""
    expect(page.locator("#p1-banner")).to_be_hidden(timeout=PLAN_STEP_TIMEOUT_MS)
    page.locator(selector).evaluate("node => node.scrollIntoView({block: 'start'})")
    page.mouse.move(0, 0)  # no hover tooltips in the picture


def action_plan(page: Page, demo: Demo, target: Path) -> None:
    """A bank intrusion's checklist with its first step done by the demo's dispatcher and a
    required step still open, so the page says the close is held and offers the override."""
    sign_in_dispatcher(page, demo)
    for _ in range(PLAN_ATTEMPTS):
        incident_id = _raise_alarm(demo, "intrusion", "Agrobank, Siab branch")
        _open_incident(page, incident_id)
        done = page.locator('#plan-steps li[data-state="done"]')
        expect(done).to_have_count(1, timeout=PLAN_STEP_TIMEOUT_MS)
        expect(page.locator("#plan-blocked")).not_to_be_empty()
        _scroll_to(page, "#plan")
        page.screenshot(path=target)
        plan = demo.get_one(f"/api/v1/incidents/{incident_id}/plan")
        steps = plan["steps"]
        assert isinstance(steps, list)
        if plan["open_required"] and sum(step["state"] == "done" for step in steps) == 1:
            return  # the picture shows what the API still says
        logger.info("incident #%s moved on before the shot; raising another", incident_id)
    raise ScreenshotError("the demo's dispatcher finished every plan before it could be shown")


def who_to_call(page: Page, demo: Demo, target: Path) -> None:
    """A bank's key-holders for an intrusion, once the demo's dispatcher has called them and
    one answered (some calls go unanswered at random: then another alarm is tried)."""
    sign_in_dispatcher(page, demo)
    for _ in range(PLAN_ATTEMPTS):
        incident_id = _raise_alarm(demo, "intrusion", "National bank, Samarkand branch")
        _open_incident(page, incident_id)
        keyholders = page.locator('#plan-steps li[data-index="1"]:not([data-state="open"])')
        expect(keyholders).to_have_count(1, timeout=PLAN_STEP_TIMEOUT_MS)
        if keyholders.get_attribute("data-state") == "done":
            expect(page.locator("#who-to-call-list .calls li").first).to_be_visible()
            _scroll_to(page, "#who-to-call")
            page.screenshot(path=target)
            return
        logger.info("nobody answered for incident #%s; raising another", incident_id)
    raise ScreenshotError("no key-holder answered the demo's dispatcher")


@dataclass(frozen=True)
class Shot:
    """One picture: docs/<name>.png, made by `take` on a fresh page of its own."""

    name: str
    take: Callable[[Page, Demo, Path], None]
    viewport: tuple[int, int] = DESK  # width, height
    scheme: Literal["light", "dark"] = "light"
    language: str = "en"


TABLET_AT: Final = {"latitude": 39.6618, "longitude": 66.9612}  # a crew ~1.5 km from the Registan
SHOTS: Final = (
    Shot("dispatcher", dispatcher_with_open_incident),
    Shot("dispatcher-night", dispatcher_with_open_incident, scheme="dark"),
    Shot("dispatcher-uz-cyrl", dispatcher_with_open_incident, language="uz-Cyrl"),
    Shot("dispatcher-stats", dispatcher_statistics, viewport=(1920, 1080)),
    Shot("crew-tablet", crew_tablet, viewport=TABLET),
    Shot("crew-tablet-night", crew_tablet, viewport=TABLET, scheme="dark"),
    Shot("crew-tablet-uz", crew_tablet, viewport=TABLET, language="uz-Latn"),
    Shot("action-plan", action_plan),
    Shot("who-to-call", who_to_call),
)


@contextlib.contextmanager
def running_demo() -> Iterator[Demo]:
    with tempfile.TemporaryDirectory(prefix="posbon-screenshots-") as folder:
        demo = Demo(Path(folder) / "data", Path(folder) / "demo.log")
        demo.start()
        try:
            yield demo
        except BaseException:
            sys.stderr.write(demo.log_path.read_text(errors="replace")[-4000:])
            raise
        finally:
            demo.stop()


def take_all(browser: Browser, demo: Demo, shots: Sequence[Shot], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        target = out / f"{shot.name}.png"
        page = browser.new_page(
            viewport={"width": shot.viewport[0], "height": shot.viewport[1]},
            color_scheme=shot.scheme,  # what prefers-color-scheme answers: each app follows it
            geolocation=TABLET_AT,  # type: ignore[arg-type]
            permissions=["geolocation"],  # the crew app shows its distance to the scene
        )
        # The language a reader picked earlier, as the app remembers it.
        page.add_init_script(f"localStorage.setItem({LANGUAGE_KEY!r}, {shot.language!r})")
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            shot.take(page, demo, target)
        finally:
            page.close()
        logger.info("wrote %s", target)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder for the PNGs")
    parser.add_argument("--only", action="append", choices=[s.name for s in SHOTS], help="shot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not every poll of the demo
    if not CHROMIUM.exists():
        logger.error("no %s: apt-get install -y chromium", CHROMIUM)
        return 1
    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    with running_demo() as demo, sync_playwright() as playwright:
        demo.wait_until_busy()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(BROWSER_FLAGS))
        try:
            take_all(browser, demo, shots, args.out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
