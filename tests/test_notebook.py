"""The analyst notebook (examples/analyst_walkthrough.ipynb) runs end to end.

It is executed with nbclient, in a kernel of this very interpreter (a kernelspec
written to a temporary folder, so no user-wide or stale kernel is picked up),
from a temporary working directory; then its key outputs are checked.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import openpyxl
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import mutasi_opt as mo

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "analyst_walkthrough.ipynb"
REPORT = "laporan_mutasi.xlsx"
SHEETS = ["Ringkasan", "Mutasi", "Unit Kerja", "Tidak Dipindah", "Pelatihan"]


def _cell(nb: Any, cell_id: str) -> Any:
    found = [c for c in nb.cells if c.get("id") == cell_id]
    assert len(found) == 1, f"the notebook has {len(found)} cells with id {cell_id!r}"
    return found[0]


def _stdout(cell: Any) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def _data(cell: Any, mime: str) -> list[str]:
    return [
        o.data[mime]
        for o in cell.outputs
        if o.output_type in ("execute_result", "display_data") and mime in o.data
    ]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The notebook after execution, and the working directory it ran in."""
    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(kernels / "python3")  # argv: this interpreter (sys.executable)
    km = KernelManager(
        kernel_name="python3",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
    )
    assert km.kernel_spec is not None
    assert km.kernel_spec.argv[0] == sys.executable
    workdir = tmp_path_factory.mktemp("analyst")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # inline figures
    client = NotebookClient(nb, km=km, timeout=600, resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    return nb, workdir


def test_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_work_limits_stay_modest_and_no_clock_decides() -> None:
    """Every solve has a work limit (the same plans on any machine, so the checks
    below hold on a slow or busy one too) and none a time limit."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    limits = [float(x) for x in re.findall(r"work_limit=(\d+(?:\.\d+)?)", source)]
    assert len(limits) == 4  # compare_history, frontier, solve, replan
    assert sum(limits) <= 20
    assert "time_limit=" not in source.replace("time_limit=...", "")


def test_runs_without_errors_or_warnings(executed: tuple[Any, Path]) -> None:
    nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kinds = {o.output_type for o in cell.outputs}
        assert "error" not in kinds, cell.id
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert stderr == [], f"cell {cell.id!r} wrote to stderr: {stderr}"
        assert cell.execution_count is not None, cell.id


def test_views_render_as_html(executed: tuple[Any, Path]) -> None:
    nb, _ = executed
    for cell_id, title in (
        ("problem", "Problem"),
        ("state", "Current state"),
        ("history", None),
        ("compare", None),
        ("frontier", None),
    ):
        html = _data(_cell(nb, cell_id), "text/html")
        assert len(html) == 1, cell_id
        assert 'class="mutasi-opt"' in html[0], cell_id
        if title is not None:
            assert title in html[0], cell_id
    table = _data(_cell(nb, "frontier-table"), "text/html")
    assert len(table) == 1 and "imbalance_hours" in table[0]
    moves = _data(_cell(nb, "moves"), "text/html")
    assert len(moves) == 1 and "reason" in moves[0]


def test_figures_drawn(executed: tuple[Any, Path]) -> None:
    nb, _ = executed
    for cell_id in ("plot-ej", "plot-frontier", "plot-ej-after"):
        assert len(_data(_cell(nb, cell_id), "image/png")) == 1, cell_id


def test_printed_results(executed: tuple[Any, Path]) -> None:
    nb, _ = executed
    report = mo.evaluate_history(mo.load_sample(), mo.load_sample_history())
    exceptions = _stdout(_cell(nb, "exceptions"))
    assert exceptions.startswith(f"{len(report.exceptions)} rule exceptions in the history")
    assert [line[3:] for line in exceptions.splitlines()[1:]] == [
        v.message for v in report.exceptions
    ]
    assert "moves give" in _stdout(_cell(nb, "suggestion"))
    assert _stdout(_cell(nb, "solve")).startswith("Plan status:")
    why = _stdout(_cell(nb, "why-not"))
    assert re.match(r"\d+ employees asked to move and stay\.", why)
    assert why.count(" stays") >= 2  # the free-to-move one (en) and the one held by a rule
    training = _data(_cell(nb, "training"), "text/html")
    assert len(training) == 1 and "level_needed" in training[0]
    # the consultation round: a notice per mover, accepted moves kept, objected ones gone
    assert "diusulkan pindah" in _stdout(_cell(nb, "notices"))
    replanned = _stdout(_cell(nb, "replan"))
    accepted = re.search(r"(\d+) accepted \((\d+) kept\), \d+ objected \(0 still", replanned)
    assert accepted is not None and accepted.group(1) == accepted.group(2)
    assert "rules broken: 0" in replanned
    outcomes = _stdout(_cell(nb, "outcomes"))
    counts = ast.literal_eval(outcomes.strip())  # the printed value_counts dict
    assert set(counts) <= {"kept", "honoured", "granted", "not_granted"}
    assert counts["kept"] == int(accepted.group(1))
    fairness = _stdout(_cell(nb, "fairness"))
    assert re.search(r"blocking pairs in the history: [1-9]", fairness)


def test_report_written_in_the_working_directory(executed: tuple[Any, Path]) -> None:
    nb, workdir = executed
    assert sorted(p.name for p in workdir.iterdir()) == [REPORT]
    assert str(SHEETS) in _stdout(_cell(nb, "report-sheets"))
    book = openpyxl.load_workbook(workdir / REPORT, read_only=True)
    try:
        assert book.sheetnames == SHEETS
        moved = re.search(r"^\s*moves\s+0\s+(\d+)\s*$", _stdout(_cell(nb, "solve")), re.M)
        assert moved is not None
        rows = list(book["Mutasi"].iter_rows(values_only=True))
        assert len(rows) - 1 == int(moved.group(1))  # a header, then one row per move
    finally:
        book.close()
