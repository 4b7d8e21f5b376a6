"""Every string table of the web apps (the dispatcher page, the crew app, the redaction review
page) is complete: each language has every key English has (and
no other), the same `{placeholders}`, a plural form for every CLDR category of its language; every
key the pages use (`t("key")`, `plural("key")`, `data-i18n*="key"`) and every value of the
server's vocabularies (statuses, outcomes, kinds, crew statuses, timeline kinds, redaction states,
track kinds) has an entry; and the Russian and Uzbek Cyrillic tables hold no Latin-script words
beyond codes and names.

The catalogs are ES modules: node evaluates them (the dispatcher's `js/lang/*.js`, the crew app's
`CATALOGUE` export, the redaction page's `redact/lang.js`, all spreading `shared/catalog.js`) with
the few browser globals they touch stubbed, and prints them as JSON.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, Final

import pytest

from recognition.tracking import TrackKind
from server.alerts.schemas import AlertKind
from server.crews.schemas import CrewStatus
from server.evidence.redaction_schemas import RedactionState
from sync.entities import Outcome
from sync.lattices import IncidentStatus
from tests.unit.test_server.node import node

ROOT: Final = Path(__file__).resolve().parents[3]
WEB: Final = ROOT / "server" / "web" / "static"
CREW: Final = ROOT / "server" / "crew_app" / "static"
LANGUAGES: Final = ("en", "ru", "uz-Latn", "uz-Cyrl")
CODES: Final = frozenset(
    {"Posbon", "SOS", "CSV", "sessionStorage", "GPS", "ETA", "ID", "PMTiles", "OpenStreetMap"}
    | {"MapLibre", "Esc", "Enter", "Shift", "Tab", "Yandex", "Google", "Maps", "OsmAnd", "SHA"}
)
"""Latin-script words a Russian or Cyrillic Uzbek text may keep: product names and codes."""
CODE_PATTERN: Final = re.compile(r"^(?:[A-Za-z]{0,3}\d+[A-Za-z]?|[A-Za-z]|[a-z]\d+)$")
"""Codes with digits (P1, p90, 24h) and single letters (the keys of keyboard shortcuts)."""

NODE_STUBS: Final = """
const noop = () => {};
const element = { textContent: "", dataset: {}, setAttribute: noop, addEventListener: noop };
globalThis.document = {
  documentElement: { lang: "", dataset: {} },
  getElementById: () => null,
  querySelectorAll: () => [],
  addEventListener: noop,
  createElement: () => ({ ...element }),
};
globalThis.window = { addEventListener: noop, dispatchEvent: noop };
globalThis.localStorage = { getItem: () => null, setItem: noop, removeItem: noop };
globalThis.CustomEvent = class {
  constructor(type, init) { this.type = type; this.detail = init?.detail; }
};
Object.defineProperty(globalThis, "navigator", { value: { languages: [], language: "en" } });
"""

DUMP: Final = (
    NODE_STUBS
    + """
const [web, crew] = process.argv.slice(-2);
// The crew app imports the shared catalog by its URL (/static/shared/...): resolve that as the
// server does, to the dispatcher's static folder.
const { register } = await import("node:module");
const hook = `export async function resolve(specifier, context, next) {
  const served = specifier.startsWith("/static/");
  return next(served ? ${JSON.stringify(web)} + specifier.slice(7) : specifier, context);
}`;
register("data:text/javascript," + encodeURIComponent(hook));
const dispatcher = {};
for (const code of ["en", "ru", "uz-Latn", "uz-Cyrl"]) {
  dispatcher[code] = (await import(`${web}/js/lang/${code}.js`)).default;
}
const crewApp = (await import(`${crew}/js/i18n.js`)).CATALOGUE;
const redact = (await import(`${web}/redact/lang.js`)).CATALOGS;
const categories = {};
for (const code of ["en", "ru", "uz-Latn", "uz-Cyrl"]) {
  categories[code] = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
}
console.log(JSON.stringify({ dispatcher, crew: crewApp, redact, categories }));
"""
)


def run_node(script: str, *args: str) -> str:
    result = subprocess.run(
        [node(), "--input-type=module", "-e", script, "--", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@cache
def _tables() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(run_node(DUMP, WEB.as_uri(), CREW.as_uri()))
    return loaded


def catalogs(app: str) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = _tables()[app]
    return tables


APPS: Final = ("dispatcher", "crew", "redact")
STATIC: Final = {"dispatcher": WEB, "crew": CREW, "redact": WEB / "redact"}


def placeholders(value: object) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", str(text))}


@pytest.mark.parametrize("app", APPS)
def test_every_language_has_exactly_the_english_keys(app: str) -> None:
    tables = catalogs(app)
    assert sorted(tables) == sorted(LANGUAGES)
    english = set(tables["en"])
    for code in LANGUAGES:
        assert sorted(english - set(tables[code])) == [], f"{app} {code}: missing"
        assert sorted(set(tables[code]) - english) == [], f"{app} {code}: not in English"


@pytest.mark.parametrize("app", APPS)
def test_translations_keep_the_placeholders_and_have_every_plural_form(app: str) -> None:
    tables = catalogs(app)
    categories = _tables()["categories"]
    problems = []
    for code in LANGUAGES:
        for key, english in tables["en"].items():
            value = tables[code].get(key)
            if value is None:
                continue
            if not isinstance(value, str | dict) or value == "" or value == {}:
                problems.append(f"{code} {key}: empty")
            if placeholders(value) != placeholders(english):
                problems.append(f"{code} {key}: {placeholders(value)} ≠ {placeholders(english)}")
            if isinstance(english, dict) != isinstance(value, dict):
                problems.append(f"{code} {key}: plural forms in one language only")
            elif isinstance(value, dict):
                missing = set(categories[code]) - set(value)
                if missing:
                    problems.append(f"{code} {key}: no {sorted(missing)} form")
    assert problems == []


def latin_words(text: str) -> list[str]:
    text = re.sub(r"\{\w+\}", "", text)
    words = re.findall(r"[A-Za-z][A-Za-z0-9']*", text)
    return [word for word in words if word not in CODES and not CODE_PATTERN.match(word)]


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("code", ["ru", "uz-Cyrl"])
def test_cyrillic_tables_hold_no_latin_words(app: str, code: str) -> None:
    found = {}
    for key, value in catalogs(app)[code].items():
        texts = value.values() if isinstance(value, dict) else [value]
        words = [word for text in texts for word in latin_words(str(text))]
        if words:
            found[key] = words
    assert found == {}


def test_the_latin_check_sees_english() -> None:
    assert latin_words("Ҳодиса {id}: Dispatch P1 p90 SOS") == ["Dispatch"]


USE_PATTERNS: Final = (
    re.compile(r"""\b(?:t|plural)\(\s*["']([A-Za-z0-9_]+)["']"""),
    re.compile(r"""data-i18n(?:-title|-placeholder|-aria-label|-alt)?=["']([A-Za-z0-9_]+)["']"""),
    re.compile(
        r"""dataset\.i18n(?:Title|Placeholder|AriaLabel|Alt)?\s*=\s*["']([A-Za-z0-9_]+)["']"""
    ),
)


def used_keys(static: Path) -> dict[str, set[str]]:
    """Key → the files that use it literally (keys built at run time are checked by vocabulary)."""
    used: dict[str, set[str]] = {}
    files = [static / "index.html", *sorted(static.glob("*.js"))]
    files += sorted((static / "js").rglob("*.js"))
    shared = static.parent.parent / "web" / "static" / "shared"
    files += sorted(shared.rglob("*.js")) if shared.is_dir() else []
    for path in files:
        if path.parent.name == "lang" or path.name == "lang.js":
            continue  # the catalogs themselves
        text = path.read_text(encoding="utf-8")
        for pattern in USE_PATTERNS:
            for key in pattern.findall(text):
                used.setdefault(key, set()).add(path.name)
    return used


@pytest.mark.parametrize("app", APPS)
def test_every_key_the_app_uses_is_in_its_catalog(app: str) -> None:
    english = set(catalogs(app)["en"])
    used = used_keys(STATIC[app])
    assert used, "no t(...) or data-i18n found: the pattern no longer matches the code"
    missing = {key: sorted(files) for key, files in used.items() if key not in english}
    assert missing == {}


def test_the_use_patterns_find_keys_in_code_and_markup(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "index.html").write_text('<h2 data-i18n="queue">Q</h2><b data-i18n-title="x_y">')
    (tmp_path / "js" / "a.js").write_text('t(\'one\', {n}); plural("two", 2); at("no")')
    (tmp_path / "page.js").write_text('t("three"); img.dataset.i18nAlt = "four";')
    (tmp_path / "lang.js").write_text('t("a_catalog_is_not_a_use")')
    assert set(used_keys(tmp_path)) == {"queue", "x_y", "one", "two", "three", "four"}


def timeline_kinds() -> set[str]:
    """Every `kind` an `EntryFacts(...)` in the server writes (a literal or a module constant)."""
    kinds = set()
    for path in (ROOT / "server").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        constants = dict(re.findall(r'^([A-Z_]+)(?::\s*Final)?\s*=\s*"(\w+)"', text, re.M))
        for match in re.finditer(r"EntryFacts\(", text):
            call = text[match.end() : match.end() + 800]
            found = re.search(r'\bkind=(?:"(\w+)"|([A-Z_]+)\b)', call)
            if found is not None:
                kinds.add(found.group(1) or constants[found.group(2)])
    return kinds


def test_the_timeline_kinds_are_found() -> None:
    assert {"created", "dispatched", "status", "note", "status_report"} <= timeline_kinds()


def test_the_dispatcher_names_every_value_of_the_server_vocabularies() -> None:
    english = set(catalogs("dispatcher")["en"])
    wanted = (
        {f"status_{status.value}" for status in IncidentStatus}
        | {f"outcome_{outcome.value}" for outcome in Outcome}
        | {f"kind_{kind.value}" for kind in AlertKind}
        | {f"crew_status_{status.value}" for status in CrewStatus}
        | {f"timeline_{kind}" for kind in timeline_kinds()}
    )
    assert sorted(wanted - english) == []


def test_the_crew_app_names_every_status_and_outcome() -> None:
    english = set(catalogs("crew")["en"])
    wanted = {f"status_{status.value}" for status in IncidentStatus} | {
        f"outcome_{outcome.value}" for outcome in Outcome
    }
    assert sorted(wanted - english) == []


def test_the_redaction_page_names_every_state_and_track_kind() -> None:
    english = set(catalogs("redact")["en"])
    wanted = (
        {f"state_{state.value}" for state in RedactionState}
        | {f"state_{state.value}_hint" for state in RedactionState}
        | {f"track_kind_{kind.value}" for kind in TrackKind}
    )
    assert sorted(wanted - english) == []


REDACT_BEHAVIOUR: Final = (
    NODE_STUBS
    + """
const [web] = process.argv.slice(-1);
const asked = [];
globalThis.localStorage.getItem = (key) => { asked.push(key); return "ru"; };
const dispatcher = await import(`${web}/js/i18n.js`);
const redact = await import(`${web}/redact/i18n.js`);
const cases = [
  [null, ["uz-Cyrl-UZ", "en"]], [null, ["uz-UZ"]], [null, ["uz_cyrl"]], [null, ["ru-RU"]],
  [null, ["de-DE", "en-GB"]], [null, ["de-DE"]], [null, []], ["uz-Cyrl", ["en"]], ["xx", ["ru"]],
];
console.log(JSON.stringify({
  asked,
  language: redact.language(),
  same: cases.map(([s, b]) => dispatcher.pickLanguage(s, b) === redact.pickLanguage(s, b)),
  picks: cases.map(([s, b]) => redact.pickLanguage(s, b)),
  tracks: [1, 3, 5, 21].map((n) => redact.t("tracks_n", { n })),
  state: redact.t("summary", { recording: "r1", state: redact.t("state_review") }),
  percent: redact.formatPercent(0.42),
  missing: redact.t("no_such_key"),
}));
"""
)


def test_the_redaction_page_takes_the_dispatchers_language_choice() -> None:
    out = json.loads(run_node(REDACT_BEHAVIOUR, WEB.as_uri()))
    assert set(out["asked"]) == {"posbon.lang"}  # both pages read the one stored choice
    assert out["language"] == "ru"
    assert all(out["same"]), out["picks"]
    assert out["picks"][:3] == ["uz-Cyrl", "uz-Latn", "uz-Cyrl"]
    assert out["tracks"] == [
        "1 область для скрытия",
        "3 области для скрытия",
        "5 областей для скрытия",
        "21 область для скрытия",
    ]
    assert out["state"] == "Запись r1 · проверка"
    assert out["percent"] == "42\N{NO-BREAK SPACE}%"
    assert out["missing"] == "no_such_key"


BEHAVIOUR: Final = (
    NODE_STUBS
    + """
const [web] = process.argv.slice(-1);
const i18n = await import(`${web}/js/i18n.js`);
const at = "2026-03-08T19:04:05Z";
const out = {
  picks: [
    i18n.pickLanguage(null, ["uz-Cyrl-UZ", "en"]),
    i18n.pickLanguage(null, ["uz-UZ"]),
    i18n.pickLanguage(null, ["ru-RU", "en"]),
    i18n.pickLanguage(null, ["de-DE"]),
    i18n.pickLanguage("ru", ["en"]),
  ],
  zone: i18n.timeZone(),
  time: i18n.formatTime(at),
  timeFromMs: i18n.formatTime(Date.parse(at)),
  missing: i18n.t("no_such_key"),
};
i18n.setLanguage("ru");
out.ru = [1, 3, 5, 21].map((n) => i18n.plural("minutes_n", n));
out.ruText = i18n.t("disconnected_as_of", { time: i18n.formatTime(at) });
out.lang = document.documentElement.lang;
i18n.setLanguage("uz-Cyrl");
out.cyrl = i18n.t("queue");
out.fallback = i18n.t("language_name");
i18n.setLanguage("xx");
out.unknown = i18n.language();
console.log(JSON.stringify(out));
"""
)


def test_the_dispatcher_i18n_module_picks_formats_and_falls_back() -> None:
    out = json.loads(run_node(BEHAVIOUR, WEB.as_uri()))
    assert out["picks"] == ["uz-Cyrl", "uz-Latn", "ru", "en", "ru"]
    assert out["zone"] == "Asia/Samarkand"  # no settings element: the default
    assert out["time"] == out["timeFromMs"] == "00:04:05"  # UTC+5, the next day, 24-hour clock
    assert out["missing"] == "no_such_key"
    assert out["ru"] == ["1 минута", "3 минуты", "5 минут", "21 минута"]
    assert out["ruText"] == "Нет связи — данные на 00:04:05"
    assert out["lang"] == "ru"
    assert out["cyrl"] == "Навбат"
    assert out["fallback"] == "Ўзбекча"
    assert out["unknown"] == "en"
