"""Notebook views (``_repr_html_``): the HTML is parsed back with ``html.parser``
and its data checked against the objects' own numbers, band colours, escaping
and the "… n more" counts of truncated tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutasi_opt import (
    Demand,
    Employee,
    PlanStatus,
    Policy,
    Problem,
    Unit,
    current_state,
    metrics,
    plan_surges,
    solve,
    synth,
)
from mutasi_opt.planning.history import evaluate_history
from mutasi_opt.results.plan import Plan
from mutasi_opt.views.html import BAND_COLOURS, ROWS, Cell, table
from problems import first_seed, random_problem
from surge_problems import random_surge_problem

NASTY = '<b>&"'


# ------------------------------------------------------------------ parsing
@dataclass
class ParsedCell:
    text: str
    cls: str = ""
    style: str = ""

    @property
    def background(self) -> str | None:
        m = re.search(r"background-color:(#[0-9a-fA-F]{6})", self.style)
        return None if m is None else m.group(1)

    def number(self) -> float:
        return float(self.text.replace(",", "").rstrip("%"))


@dataclass
class ParsedTable:
    header: list[str] = field(default_factory=list)
    rows: list[list[ParsedCell]] = field(default_factory=list)
    more: int = 0

    def column(self, name: str) -> list[ParsedCell]:
        k = self.header.index(name)
        return [r[k] for r in self.rows]

    def record(self) -> dict[str, ParsedCell]:
        """A one-row table as header → cell."""
        assert len(self.rows) == 1
        return dict(zip(self.header, self.rows[0], strict=True))

    def by_label(self) -> dict[str, list[ParsedCell]]:
        """Rows keyed by their first cell."""
        return {r[0].text: r[1:] for r in self.rows}


class View(HTMLParser):
    """The tables (by their ``mo-<name>`` class) and paragraphs of a view."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, ParsedTable] = {}
        self.paragraphs: dict[str, list[str]] = {}
        self.status: str | None = None
        self.text: list[str] = []
        self._table: ParsedTable | None = None
        self._cell: ParsedCell | None = None
        self._more = False
        self._in_th = False
        self._para: str | None = None
        self._span_status = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        cls = a.get("class", "")
        if tag == "table":
            name = cls.removeprefix("mo-")
            assert name not in self.tables, f"two tables named {name}"
            self._table = self.tables[name] = ParsedTable()
        elif tag == "tr" and self._table is not None:
            self._more = cls == "mo-more"
            if not self._more:
                self._row: list[ParsedCell] = []
        elif tag == "th":
            self._in_th = True
            self._cell = ParsedCell("")
        elif tag == "td":
            self._cell = ParsedCell("", cls, a.get("style", ""))
        elif tag == "p":
            self._para = cls.removeprefix("mo-")
            self.paragraphs.setdefault(self._para, []).append("")
        elif tag == "span" and cls == "mo-status":
            self._span_status = True
            self.status = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "th" and self._table is not None and self._cell is not None:
            self._table.header.append(self._cell.text)
            self._cell, self._in_th = None, False
        elif tag == "td" and self._cell is not None and self._table is not None:
            if self._more:
                m = re.fullmatch(r"… ([\d,]+) more", self._cell.text)
                assert m is not None, self._cell.text
                self._table.more = int(m.group(1).replace(",", ""))
            else:
                self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._table is not None and not self._more and self._row:
            self._table.rows.append(self._row)
        elif tag == "p":
            self._para = None
        elif tag == "span":
            self._span_status = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.text += data
        elif self._para is not None:
            self.paragraphs[self._para][-1] += data
        elif self._span_status and self.status is not None:
            self.status += data


def _colour(band: str) -> str | None:
    """The background a cell of ``band`` has (none for no EJ at all)."""
    return BAND_COLOURS[band].lower() if band else None


def _hours(cell: ParsedCell, value: float) -> None:
    """A D or B cell shows ``value`` to two decimals."""
    assert cell.number() == pytest.approx(round(value, 2), abs=1e-9)


# ----------------------------------------------------------------- fixtures
def _moved_plan(problem: Problem, n_moves: int) -> Plan:
    """A plan (not solved: the view does not care) moving ``n_moves`` employees
    spread over the staff list, each to the last other unit they may go to."""
    idx = problem.index
    a = idx.home.copy()
    can = [
        (int(e), others[-1])
        for e in np.flatnonzero(metrics.movable(problem))
        if (others := [u for u in metrics.allowed_units(problem, int(e)) if u != idx.home[e]])
    ]
    for k in np.linspace(0, len(can) - 1, n_moves).astype(int):
        e, u = can[k]
        a[e] = u
    return Plan.from_solution(problem, a, stages=(), solve_seconds=0.0)


@pytest.fixture(scope="module")
def town() -> Problem:
    """A 400-employee synthetic town: enough units and moves to truncate every table."""
    return synth.generate(400, seed=5)


def _nasty_problem() -> Problem:
    """Two units with one role; the unit named ``<b>&"`` is overloaded (EJ 2), and
    the one employee who may move to relieve it is named ``<b>&"`` too."""
    emps = [
        Employee(nip=f"E{i}", name=NASTY if i == 0 else "", unit="U1", role="r", locked=i > 0)
        for i in range(3)
    ]
    emps.append(Employee(nip="E9", unit="U0", role="r"))
    return Problem(
        employees=tuple(emps),
        units=(Unit(unit="U0", name=NASTY), Unit(unit="U1", name="Plain")),
        demand=(
            Demand(unit="U0", role="r", workload_hours=2500),
            Demand(unit="U1", role="r", workload_hours=2500),
        ),
    )


def _infeasible_problem() -> Problem:
    """U1 needs a member of staff (min_staff 1) but everyone is locked in U0."""
    emps = [Employee(nip=f"E{i}", unit="U0", role="r", locked=True) for i in range(2)]
    return Problem(
        employees=tuple(emps),
        units=(Unit(unit="U0"), Unit(unit="U1", min_staff=1)),
        demand=(Demand(unit="U0", role="r", workload_hours=100),),
    )


# --------------------------------------------------------------- the builder
@given(text=st.text(max_size=40), header=st.text(max_size=10))
def test_every_cell_and_header_is_escaped(text: str, header: str) -> None:
    view = View(table("t", [header], [[text], [Cell(text, band="A", number=True)]]))
    t = view.tables["t"]
    # what the parser reads back is exactly the text given: no markup got through
    assert t.header == [header]
    assert [r[0].text for r in t.rows] == [text] * 2


def test_truncation_counts_and_given_remainder() -> None:
    rows = [[str(i)] for i in range(ROWS + 7)]
    t = View(table("t", ["n"], rows)).tables["t"]
    assert [r[0].text for r in t.rows] == [str(i) for i in range(ROWS)]
    assert t.more == 7
    # rows the caller left out are added to the count; no row, no "more" line
    t = View(table("t", ["n"], rows[:3], more=5)).tables["t"]
    assert len(t.rows) == 3 and t.more == 5
    t = View(table("t", ["n"], rows[:3])).tables["t"]
    assert t.more == 0


# ----------------------------------------------------------------------- plan
@pytest.mark.parametrize(("start", "gap"), [(11, 0), (12, 0), (13, 1)])
def test_solved_plan_numbers_equal_summary(start: int, gap: int) -> None:
    def instance(seed: int) -> Problem:
        problem = random_problem(seed, 7, 3, max_moves=None)
        return problem.replace(policy=problem.policy.replace(trainable_gap=gap))

    def moves_someone(seed: int) -> bool:
        # with training: one where someone needs training before or after
        plan = solve(instance(seed), workers=1)
        if plan.after is None or plan.after.moves == 0:
            return False
        return gap == 0 or plan.before.training + plan.after.training > 0

    plan = solve(instance(first_seed(moves_someone, start)), workers=1)
    view = View(plan._repr_html_())
    s = plan.summary()
    assert view.status == s["status"]
    head = view.tables["headline"].by_label()
    assert [c.number() for c in head["competency shortfall (staff)"]] == [
        s["shortfall_before"],
        s["shortfall"],
    ]
    for label, key in (
        ("imbalance D (hours)", "imbalance_hours"),
        ("balance cost B (hours)", "balance_cost"),
    ):
        _hours(head[label][0], s[f"{key}_before"])
        _hours(head[label][1], s[key])
    assert head["moves"][1].number() == s["moves"]
    assert head["preference cost"][1].number() == s["preference_cost"]
    if gap:
        assert [c.number() for c in head["training needs (people)"]] == [
            s["training_before"],
            s["training"],
        ]
    else:
        assert "training needs (people)" not in head
    stages = view.tables["stages"]
    assert [c.text for c in stages.column("stage")] == [st["stage"] for st in s["stages"]]
    for cell, st_ in zip(stages.column("value"), s["stages"], strict=True):
        _hours(cell, st_["value"])
    for cell, st_ in zip(stages.column("bound"), s["stages"], strict=True):
        _hours(cell, st_["bound"])
    for cell, st_ in zip(stages.column("gap"), s["stages"], strict=True):
        assert cell.number() == pytest.approx(round(100 * st_["gap"], 2), abs=1e-9)
    moves = view.tables["moves"]
    frame = plan.moves
    assert [c.text for c in moves.column("nip")] == list(frame["nip"])
    assert [c.text for c in moves.column("to")] == list(frame["unit_after"])
    assert [c.text for c in moves.column("reason")] == list(frame["reason"])


def test_moves_and_band_changes_truncated_with_bands_of_units_table(town: Problem) -> None:
    plan = _moved_plan(town, 25)
    view = View(plan._repr_html_())
    moves = view.tables["moves"]
    assert len(moves.rows) == ROWS and moves.more == 25 - ROWS
    assert [c.text for c in moves.column("nip")] == list(plan.moves["nip"][:ROWS])
    # the band-change rows: every cell's band and colour is the units table's
    units = {(r["unit"], r["role"]): r for r in plan.unit_records()}
    changed = [k for k, r in units.items() if r["band_before"] != r["band_after"]]
    assert len(changed) > ROWS  # the table is truncated, and the count is right
    bands = view.tables["band-changes"]
    assert len(bands.rows) == ROWS and bands.more == len(changed) - ROWS
    for row in bands.rows:
        rec = units[(row[0].text, row[2].text)]
        before, after = row[4], row[6]
        assert before.text == rec["band_before"] and after.text == rec["band_after"]
        assert after.background == _colour(rec["band_after"])
        assert before.background == _colour(rec["band_before"])
        assert after.cls == f"mo-band-{rec['band_after'] or 'none'}"
        if rec["ej_after"] is not None and np.isfinite(rec["ej_after"]):
            assert row[5].number() == pytest.approx(round(rec["ej_after"], 2), abs=1e-9)
    # the most loaded before come first
    letters = [r[4].text for r in bands.rows]
    assert letters == sorted(letters)


def test_infeasible_plan_shows_its_diagnosis() -> None:
    plan = solve(_infeasible_problem(), workers=1, work_limit=5.0)
    assert plan.status is PlanStatus.INFEASIBLE and plan.diagnosis
    view = View(plan._repr_html_())
    assert view.status == "infeasible"
    diag = view.tables["diagnosis"]
    assert [c.text for c in diag.column("what conflicts")] == [c.message for c in plan.diagnosis]
    assert [c.text for c in diag.column("kind")] == [c.kind for c in plan.diagnosis]
    assert "moves" not in view.tables and "headline" not in view.tables


def test_unit_name_is_escaped_everywhere() -> None:
    problem = _nasty_problem()
    plan = solve(problem, workers=1, work_limit=5.0)
    assert plan.after is not None and plan.after.moves == 1
    for markup in (problem._repr_html_(), plan._repr_html_(), current_state(problem)._repr_html_()):
        assert NASTY not in markup and "<b>&amp;" not in markup
        assert "&lt;b&gt;&amp;&quot;" in markup
    units = View(problem._repr_html_()).tables["units"]
    assert units.rows[0][1].text == NASTY  # the overloaded unit comes first
    view = View(plan._repr_html_())
    assert view.tables["moves"].rows[0][1].text == NASTY  # the employee's name
    assert NASTY in [r[1].text for r in view.tables["band-changes"].rows]


# -------------------------------------------------------------------- problem
def test_problem_view_numbers_and_worst_units(town: Problem) -> None:
    view = View(town._repr_html_())
    idx = town.index
    size = view.tables["size"].record()
    assert size["employees"].number() == idx.n_employees
    assert size["units"].number() == idx.n_units
    assert size["roles"].number() == idx.n_roles
    assert size["requirements"].number() == len(town.requirements)
    assert size["movable"].number() == int(metrics.movable(town).sum())
    now = metrics.evaluate(town)
    state = view.tables["state"].record()
    assert state["competency shortfall (staff)"].number() == now.shortfall
    _hours(state["imbalance D (hours)"], now.imbalance_hours)
    _hours(state["balance cost B (hours)"], now.balance_cost)
    policy = view.tables["policy"].record()
    assert policy["max moves"].text == (
        "unlimited" if town.policy.max_moves is None else f"{town.policy.max_moves:,}"
    )
    # worst units: the ten highest EJ, in order, each on its band's colour
    ut = metrics.unit_table(town)
    units = view.tables["units"]
    assert len(units.rows) == ROWS and units.more == idx.n_units - ROWS
    ej = np.where(np.isnan(ut["ej"]), -np.inf, ut["ej"])
    top = sorted(range(idx.n_units), key=lambda u: (-ej[u], u))[:ROWS]
    assert [c.text for c in units.column("unit")] == [idx.unit_ids[u] for u in top]
    for cell, u in zip(units.column("band"), top, strict=True):
        assert cell.text == (ut["band"][u] or "–")
        assert cell.background == _colour(ut["band"][u])
    # built once: the same object comes back
    assert town._repr_html_() is town._repr_html_()


def test_units_without_staff_first_and_without_anything_last() -> None:
    problem = Problem(
        employees=(Employee(nip="E0", unit="U1", role="r"),),
        units=(Unit(unit="U2"), Unit(unit="U1"), Unit(unit="U0")),
        demand=(
            Demand(unit="U0", role="r", workload_hours=500),
            Demand(unit="U1", role="r", workload_hours=500),
        ),
    )
    units = View(problem._repr_html_()).tables["units"]
    assert [c.text for c in units.column("unit")] == ["U0", "U1", "U2"]
    assert [c.text for c in units.column("EJ")] == ["∞ (no staff)", "0.40", "–"]
    assert [c.text for c in units.column("band")] == ["A", "E", "–"]
    assert [c.background for c in units.column("band")] == [_colour("A"), _colour("E"), None]
    assert units.more == 0


# ---------------------------------------------------------------------- state
def test_state_view_numbers(town: Problem) -> None:
    report = current_state(town, top=12)
    view = View(report._repr_html_())
    state = view.tables["state"].record()
    _hours(state["imbalance D (hours)"], report.imbalance_hours)
    _hours(state["balance cost B (hours)"], report.balance_cost)
    assert state["competency shortfall (staff)"].number() == report.shortfall
    mov = view.tables["movable"].record()
    assert mov["movable"].number() == report.n_movable
    assert mov["not movable: tenure"].number() == report.immovable["tenure"]
    counts = view.tables["band-counts"]
    assert counts.header == list(metrics.BANDS)
    for cell, b in zip(counts.rows[0], metrics.BANDS, strict=True):
        assert cell.number() == report.band_counts[b]
        assert cell.background == BAND_COLOURS[b].lower()
    over = view.tables["overloaded"]
    assert len(report.overloaded) == 12
    assert over.more == len(report.overloaded) - ROWS
    assert [c.text for c in over.column("unit")] == [r["unit"] for r in report.overloaded[:ROWS]]


# --------------------------------------------------------------------- surges
def test_surge_view_coverage_and_people() -> None:
    def lends(seed: int) -> bool:
        problem, surges = random_surge_problem(seed)
        return len(plan_surges(problem, surges, workers=1).secondment_arrays) > 0

    seed = first_seed(lends, 3)
    problem, surges = random_surge_problem(seed)
    plan = plan_surges(problem, surges, workers=1)
    view = View(plan._repr_html_())
    assert view.status == plan.status.value
    cov = plan.coverage_records()
    table_ = view.tables["coverage"]
    assert [c.text for c in table_.column("surge")] == [s.surge for s in surges]
    for row, s in zip(table_.rows, surges, strict=True):
        mine = [r for r in cov if r["surge"] == s.surge]
        cells = dict(zip(table_.header, row, strict=True))
        assert cells["needed"].number() == pytest.approx(sum(r["needed_fte"] for r in mine))
        assert cells["covered"].number() == pytest.approx(sum(r["covered_fte"] for r in mine))
        assert cells["uncovered"].number() == pytest.approx(sum(r["uncovered_fte"] for r in mine))
    sec = plan.secondment_arrays
    head = view.tables["headline"].record()
    assert head["people seconded"].number() == len(set(sec.employee.tolist()))
    assert head["secondments"].number() == len(sec)
    assert head["uncovered (FTE-months)"].number() == plan.summary()["uncovered_fte_months"]
    shown = view.tables["secondments"]
    assert [c.text for c in shown.column("nip")] == list(plan.secondments["nip"])


# -------------------------------------------------------------------- history
def _history_problem() -> Problem:
    """Three teachers (C locked) in U0 and U1; U2 has twice their work and nobody."""
    return Problem(
        employees=(
            Employee(nip="A", unit="U0", role="guru", months_in_unit=60),
            Employee(nip="B", unit="U0", role="guru", months_in_unit=60),
            Employee(nip="C", unit="U1", role="guru", locked=True),
        ),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="U2")),
        demand=tuple(
            Demand(unit=u, role="guru", workload_hours=w)
            for u, w in (("U0", 1000), ("U1", 1000), ("U2", 2000))
        ),
        policy=Policy(max_moves=5),
    )


def test_history_view_rows_exceptions_and_skipped(tmp_path: Path) -> None:
    problem = _history_problem()
    path = tmp_path / "history.csv"
    bad = "".join(f"X{i},U0,U2,2024-05-01\n" for i in range(ROWS + 2))  # unknown NIPs
    path.write_text(
        "nip,from_unit,to_unit,date\nB,U0,U2,2024-03-01\nC,U1,U2,2024-04-01\n" + bad,
        encoding="utf-8",
    )
    report = evaluate_history(problem, path)
    view = View(report._repr_html_())
    rows = view.tables["rows"].record()
    assert rows["moves replayed"].number() == len(report.applied) == 2
    assert rows["rows skipped"].number() == len(report.skipped) == ROWS + 2
    head = view.tables["headline"].by_label()
    _hours(head["imbalance D (hours)"][0], report.before.imbalance_hours)
    _hours(head["imbalance D (hours)"][1], report.after.imbalance_hours)
    assert head["moves"][1].number() == report.after.moves
    exc = view.tables["exceptions"]
    assert [c.text for c in exc.column("what")] == [v.message for v in report.exceptions]
    assert [c.text for c in exc.column("kind")] == ["locked"]
    skipped = view.tables["skipped"]
    assert len(skipped.rows) == ROWS and skipped.more == 2
    assert [c.text for c in skipped.column("reason")] == [s.reason for s in report.skipped[:ROWS]]
    assert [c.number() for c in skipped.column("row")] == [
        s.move.row for s in report.skipped[:ROWS]
    ]


# ------------------------------------------------------------------- frontier
def _frontier_problem() -> Problem:
    def moves_two(seed: int) -> bool:
        plan = solve(random_problem(seed, 7, 3, max_moves=None), workers=1)
        return plan.after is not None and plan.after.moves >= 2

    return random_problem(first_seed(moves_two, 21), 7, 3, max_moves=None)


def test_frontier_view_rows_equal_the_curve() -> None:
    from mutasi_opt.planning.frontier import frontier

    curve = frontier(_frontier_problem(), workers=1, work_limit=10.0)
    assert curve.knee is not None and len(curve.points) >= 2
    view = View(curve._repr_html_())
    assert view.paragraphs["suggestion"] == [curve.suggestion()]
    t = view.tables["frontier"]
    records = curve.records()
    assert [c.number() for c in t.column("budget")] == [r["budget"] for r in records]
    assert [c.number() for c in t.column("moves")] == [r["moves"] for r in records]
    for key, col in (
        ("imbalance_hours", "D (h)"),
        ("imbalance_bound_hours", "D bound"),
        ("balance_cost", "B (h)"),
        ("balance_bound", "B bound"),
    ):
        for cell, r in zip(t.column(col), records, strict=True):
            _hours(cell, r[key])
    for cell, r in zip(t.column("of achievable"), records, strict=True):
        if r["reduction"] is None:  # below the budget that covers the shortfall
            assert cell.text == "–"
        else:
            assert cell.number() == pytest.approx(round(100 * r["reduction"], 2), abs=1e-9)
    # exactly the knee is marked
    marked = [r[0].text for r in t.rows if r[-1].text == "◀ suggested"]
    assert marked == [f"{curve.knee.budget:,}"]


def test_frontier_view_of_an_infeasible_problem_shows_the_diagnosis() -> None:
    from mutasi_opt.planning.frontier import frontier

    curve = frontier(_infeasible_problem(), workers=1, work_limit=5.0)
    assert curve.infeasible is not None
    view = View(curve._repr_html_())
    assert view.status == "infeasible"
    assert [c.text for c in view.tables["diagnosis"].column("what conflicts")] == [
        c.message for c in curve.infeasible.diagnosis
    ]
    assert "frontier" not in view.tables


def test_comparison_view_history_next_to_the_optimiser(tmp_path: Path) -> None:
    from mutasi_opt.planning.history import compare_history

    path = tmp_path / "history.csv"
    # the history moves the locked teacher (a rule exception) where the work is
    path.write_text(
        "nip,from_unit,to_unit,date\nC,U1,U2,2024-04-01\nX,U0,U2,2024-05-01\n", encoding="utf-8"
    )
    comparison = compare_history(_history_problem(), path, workers=1, work_limit=10.0)
    hist, opt = comparison.history, comparison.optimised
    assert opt.after is not None and hist.exceptions
    view = View(comparison._repr_html_())
    assert view.tables["before"].record()["imbalance D (hours)"].number() == pytest.approx(
        round(hist.before.imbalance_hours, 2)
    )
    rows = view.tables["comparison"].by_label()
    assert [c.number() for c in rows["moves"]] == [hist.after.moves, opt.after.moves]
    for label, attr in (
        ("imbalance D (hours)", "imbalance_hours"),
        ("balance cost B (hours)", "balance_cost"),
    ):
        _hours(rows[label][0], getattr(hist.after, attr))
        _hours(rows[label][1], getattr(opt.after, attr))
    assert [c.number() for c in rows["rule exceptions"]] == [len(hist.exceptions), 0]
    gains = (comparison.gain_per_move_history, comparison.gain_per_move_optimiser)
    for cell, gain in zip(rows["D reduced per move (hours)"], gains, strict=True):
        assert gain is not None
        _hours(cell, gain)
    assert view.paragraphs["headline"] == [comparison.headline()]
    assert view.paragraphs["match"] == [comparison.match_text()]
    assert [c.text for c in view.tables["exceptions"].column("what")] == [
        v.message for v in hist.exceptions
    ]
    assert [c.text for c in view.tables["skipped"].column("reason")] == ["unknown NIP X"]
