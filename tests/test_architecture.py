"""The package's structure: imports go one way (layers in pyproject.toml, checked by
``lint-imports`` in CI) and no module imports itself through others, counting the
imports made inside functions (those under ``TYPE_CHECKING`` aside)."""

from __future__ import annotations

import grimp
import pytest

import mutasi_opt as mo


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("mutasi_opt", exclude_type_checking_imports=True)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return out


def test_no_import_cycle_counting_imports_inside_functions(graph: grimp.ImportGraph) -> None:
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("mutasi_opt.domain", "mutasi_opt.metrics"),
        ("mutasi_opt.metrics", "mutasi_opt.results"),
        ("mutasi_opt.results", "mutasi_opt.solvers"),
        ("mutasi_opt.results", "mutasi_opt.planning"),
        ("mutasi_opt.solvers", "mutasi_opt.planning"),
        ("mutasi_opt.planning", "mutasi_opt.io"),
        ("mutasi_opt.io", "mutasi_opt.views"),
        ("mutasi_opt.views", "mutasi_opt.cli"),
        ("mutasi_opt.solvers", "mutasi_opt.io"),
    ],
)
def test_a_lower_layer_never_imports_a_higher_one(
    graph: grimp.ImportGraph, lower: str, upper: str
) -> None:
    chains = graph.find_shortest_chains(importer=lower, imported=upper, as_packages=True)
    assert chains == set(), chains


def test_the_compatibility_modules_keep_the_public_functions_callable() -> None:
    import importlib

    from mutasi_opt.frontier import Frontier, frontier
    from mutasi_opt.solve import fewest_moves, solve

    assert callable(mo.solve) and callable(mo.frontier)  # the functions, not the modules
    assert solve is mo.solve and frontier is mo.frontier
    assert importlib.import_module("mutasi_opt.solve").fewest_moves is fewest_moves
    assert Frontier is mo.Frontier
