"""Each table has exactly one module that writes it, and that module says so in its docstring
("Writes: <tables>"), so a reader who wonders who changes a table finds one place to look.

The server's source is scanned for writes: SQL in string literals (`INSERT INTO t`, `UPDATE t`,
`DELETE FROM t`, in any case, f-strings too), piccolo's `<Table>.insert/update/delete(`, and the
shared helpers that take a table (`Registry(<Table>, …)`, `update_row(db, "t", …)`,
`insert_many(db, "t", …)`, `ChainSpec(table="t")`): a registry's writes (server/crud.py) count
as the writes of the module that builds it. A second module that starts writing a table
fails `test_each_table_is_written_by_the_one_module_that_says_so`.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from server.piccolo_app import TABLES

ROOT: Final = Path(__file__).resolve().parents[3]
SERVER: Final = ROOT / "server"
NOT_SCANNED: Final = {
    "server/migrations": "schema changes and their backfills, run once by piccolo's runner",
}
DYNAMIC_WRITERS: Final = {
    "server/sql.py": "statement helpers: the caller names the table, and its call is scanned",
    "server/chain_log.py": "a hash chain's table is named by its ChainSpec, which is scanned",
    "server/cluster/copy.py": "`posbon db copy` fills every table of a new database from the old",
}
"""Modules that write a table whose name is not in their source."""
SECOND_WRITERS: Final = {
    ("server/sync/compaction.py", "sync_changes"): "change-log compaction deletes, below a "
    "horizon it raised, the changes server/sync/repository.py appended",
    ("server/sync/compaction.py", "sync_scopes"): "change-log compaction raises a scope's "
    "horizon; the push path (server/sync/repository.py) keeps its head",
}
"""(module, table): writes besides the owner's, each with the reason it is not the owner's."""
UNDECLARED: Final[dict[str, str]] = {}
"""Writers without a "Writes:" line yet (module: why), whose writes count as declared. Empty:
every writer says what it writes; keep it so."""

SQL_WRITE: Final = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\{\}|[A-Za-z_]\w*)", re.IGNORECASE
)
WRITES_LINE: Final = re.compile(r"^Writes: (.+)$", re.MULTILINE)
PICCOLO_WRITES: Final = frozenset({"insert", "update", "delete"})
TABLE_ARGUMENT: Final = {"update_row": 1, "insert_many": 1, "Registry": 0}
"""Helpers (imported from these modules) that write the table named by one positional argument."""
HELPER_MODULES: Final = frozenset({"server.sql", "server.crud", "server.chain_log"})
DYNAMIC: Final = "{}"

TABLE_NAMES: Final = {(t.__module__, t.__name__): t._meta.tablename for t in TABLES}


def _docstring_ids(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _strings(tree: ast.Module) -> Iterator[str]:
    """Every string literal but docstrings; an f-string's replacement fields read as `{}`."""
    skipped = _docstring_ids(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(value) for value in node.values)
            yield "".join(
                value.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
                else DYNAMIC
                for value in node.values
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
        ):
            yield node.value


def _imported(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local names of imported table classes (to their table), and of the helpers."""
    tables: dict[str, str] = {}
    helpers: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            for alias in node.names:
                local = alias.asname or alias.name
                if (node.module, alias.name) in TABLE_NAMES:
                    tables[local] = TABLE_NAMES[node.module, alias.name]
                elif node.module in HELPER_MODULES:
                    helpers.add(local)
    return tables, helpers


def _table_of(node: ast.expr, tables: dict[str, str]) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower()
    if isinstance(node, ast.Name) and node.id in tables:
        return tables[node.id]
    return DYNAMIC


def _call_writes(call: ast.Call, tables: dict[str, str], helpers: set[str]) -> Iterator[str]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in PICCOLO_WRITES:
        if isinstance(func.value, ast.Name) and func.value.id in tables:
            yield tables[func.value.id]
    elif isinstance(func, ast.Name) and func.id in helpers:
        if func.id in TABLE_ARGUMENT and len(call.args) > TABLE_ARGUMENT[func.id]:
            yield _table_of(call.args[TABLE_ARGUMENT[func.id]], tables)
        for keyword in call.keywords:
            if keyword.arg == "table":
                yield _table_of(keyword.value, tables)


def writes_in(source: str) -> set[str]:
    """The tables a module's source writes; `{}` stands for one whose name it does not spell."""
    tree = ast.parse(source)
    known = set(TABLE_NAMES.values()) | {DYNAMIC}
    found = {
        match.group(1).lower() for text in _strings(tree) for match in SQL_WRITE.finditer(text)
    }
    tables, helpers = _imported(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found.update(_call_writes(node, tables, helpers))
    return found & known


def declared_in(source: str) -> set[str]:
    docstring = ast.get_docstring(ast.parse(source)) or ""
    return {name.strip() for line in WRITES_LINE.findall(docstring) for name in line.split(",")}


def _modules() -> Iterator[tuple[str, str]]:
    for path in sorted(SERVER.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if not any(name.startswith(folder + "/") for folder in NOT_SCANNED):
            yield name, path.read_text(encoding="utf-8")


def _scan(modules: Iterable[tuple[str, str]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per table the modules that write it (less the named second writers), and per module
    the tables it declares (or, while it is undeclared, writes)."""
    writers: dict[str, set[str]] = defaultdict(set)
    declared: dict[str, set[str]] = {}
    for module, source in modules:
        written = {t for t in writes_in(source) if (module, t) not in SECOND_WRITERS}
        for table in written - {DYNAMIC}:
            writers[table].add(module)
        declared[module] = written - {DYNAMIC} if module in UNDECLARED else declared_in(source)
    return writers, declared


def _misowned(modules: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The tables not written by exactly the one module that declares them, and by whom."""
    writers, declared = _scan(modules)
    wrong = {}
    for table in sorted(TABLE_NAMES.values()):
        owners = {module for module, tables in declared.items() if table in tables}
        if len(owners) != 1 or writers[table] != owners:
            wrong[table] = f"declared by {sorted(owners)}, written by {sorted(writers[table])}"
    return wrong


def test_each_table_is_written_by_the_one_module_that_says_so() -> None:
    assert _misowned(_modules()) == {}


def test_a_second_writer_of_a_table_fails_whether_or_not_it_declares_the_table() -> None:
    crews = TABLE_NAMES[_key("Crew")]
    body = f"async def f(db):\n    await db.fetch('DELETE FROM {crews}')\n"
    silent = ("server/elsewhere.py", body)
    declaring = ("server/elsewhere.py", f'"""Writes: {crews}"""\n{body}')
    assert set(_misowned([*_modules(), silent])) == {crews}
    assert set(_misowned([*_modules(), declaring])) == {crews}


def test_a_module_declares_only_tables_it_writes() -> None:
    stale = {
        module: sorted(tables - writes_in(source))
        for module, source in _modules()
        if (tables := declared_in(source)) - writes_in(source)
    }
    assert stale == {}


def test_only_the_named_modules_write_a_table_they_do_not_name() -> None:
    dynamic = {module for module, source in _modules() if DYNAMIC in writes_in(source)}
    assert dynamic == set(DYNAMIC_WRITERS)


def test_the_lists_of_exceptions_are_not_stale() -> None:
    sources = dict(_modules())
    assert {module for module in UNDECLARED if declared_in(sources[module])} == set()
    assert {
        (module, table)
        for module, table in SECOND_WRITERS
        if table not in writes_in(sources[module])
    } == set()


def test_the_scan_finds_every_kind_of_write() -> None:
    crews, devices, sites = (TABLE_NAMES[_key(name)] for name in ("Crew", "Device", "Site"))
    source = (
        "from server.devices.tables import Device as D\n"
        "from server.sql import update_row\n"
        "async def f(db, table):\n"
        "    await db.run(D.update({D.online: True}))\n"
        f"    await db.fetch(f'delete from {crews} WHERE id = {{1}}')\n"
        f"    await update_row(db, '{sites}', 1, {{}})\n"
        "    await db.fetch(f'INSERT INTO {table} VALUES (1)')\n"
    )
    assert writes_in(source) == {crews, devices, sites, DYNAMIC}
    assert writes_in(f"'''UPDATE {crews} in a docstring is prose.'''\n") == set()


def _key(class_name: str) -> tuple[str, str]:
    (key,) = (key for key in TABLE_NAMES if key[1] == class_name)
    return key
