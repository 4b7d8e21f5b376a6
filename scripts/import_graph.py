"""The folder-level import graph of a package, and the loops in it.

Each direct child of the package (a sub-package, or a module file at its top level) is one node;
A → B when any module under A imports any module under B, wherever the import stands (inside a
function or behind TYPE_CHECKING too: a loop there is still a loop a reader must untangle).
Prints the graph and every loop (strongly connected set of nodes), and exits 1 if there is one.

    python scripts/import_graph.py server            # `make test` runs this
    python scripts/import_graph.py server --dot > server.dot
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

Graph = dict[str, set[str]]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name an import statement in the tree names (relative ones resolved)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)


def _node(module: str, package: str) -> str | None:
    """The node a module belongs to: `package.child`, or None outside the package."""
    parts = module.split(".")
    if parts[0] != package or len(parts) < 2:  # the package and one child
        return None
    return ".".join(parts[:2])


def folder_graph(root: Path) -> Graph:
    package = root.name
    children = {_node(_module_name(p, root), package) for p in root.rglob("*.py")}
    nodes = {child for child in children if child is not None}
    graph: Graph = {node: set() for node in nodes}
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        source = _node(module, package)
        if source is None:
            continue  # the package's own __init__
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target in _imported(tree, module, path.name == "__init__.py"):
            node = _node(target, package)
            if node is not None and node in nodes and node != source:
                graph[source].add(node)
    return graph


class _Tarjan:
    """Tarjan's strongly connected components over a graph, visiting nodes in sorted order."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.found: list[list[str]] = []

    def visit(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        for target in sorted(self.graph[node]):
            if target not in self.index:
                self.visit(target)
                self.low[node] = min(self.low[node], self.low[target])
            elif target in self.on_stack:
                self.low[node] = min(self.low[node], self.index[target])
        if self.low[node] == self.index[node]:
            self._close_component(node)

    def _close_component(self, root: str) -> None:
        members: list[str] = []
        while not members or members[-1] != root:
            members.append(self.stack.pop())
            self.on_stack.discard(members[-1])
        if len(members) > 1:
            self.found.append(sorted(members))


def loops(graph: Graph) -> list[list[str]]:
    """The strongly connected sets of more than one node, each sorted, largest first."""
    search = _Tarjan(graph)
    sys.setrecursionlimit(max(1000, 10 * len(graph)))
    for node in sorted(graph):
        if node not in search.index:
            search.visit(node)
    return sorted(search.found, key=lambda members: (-len(members), members))


def _dot(graph: Graph) -> str:
    edges = [f'  "{a}" -> "{b}";' for a in sorted(graph) for b in sorted(graph[a])]
    return "digraph imports {\n  rankdir=TB;\n" + "\n".join(edges) + "\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the package's folder, e.g. server")
    parser.add_argument("--dot", action="store_true", help="print the graph for Graphviz")
    args = parser.parse_args()
    graph = folder_graph(args.package.resolve())
    if args.dot:
        print(_dot(graph), end="")
        return 0
    for node in sorted(graph):
        print(f"{node} -> {', '.join(sorted(graph[node])) or '(nothing)'}")
    found = loops(graph)
    for members in found:
        print(f"LOOP: {' <-> '.join(members)}", file=sys.stderr)
    print(f"{len(graph)} folders, {sum(map(len, graph.values()))} edges, {len(found)} loops")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
