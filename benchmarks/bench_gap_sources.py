"""Where the B gap at the frontier's knee comes from: the sample at one move
budget, solved with each coupling of the model removed in turn.

One command, seeded and under a work limit (so the figures repeat on any machine):

    python benchmarks/bench_gap_sources.py [--budget 445] [--work-limit 6] [--workers 2]

Variants of the embedded sample (all at ``max_moves = budget``):

* ``base``: as it is;
* ``no_parity_cuts``: as it is, solved without the parity cuts of the residue
  (``Objective._parity_cut``: the ablation of the lever that closed the gap);
* ``lock_half``: the half-timers (fte 0.5) locked in their units;
* ``uniform``: every employee full-time (fair shares change with the capacity);
* ``no_headcount``: no unit ``min_staff`` / ``max_staff``;
* ``no_requirements``: no competency requirements;
* ``no_refusals``: nobody refuses a unit;
* ``no_pairs``: no together/separate pairs;
* ``none``: all the removals of ``uniform`` … ``no_pairs`` at once.

For each, the D and B stages' value, bound and gap.  Then (the diagnosis that
led to the parity cuts, so without them) the LP of the balance stage of
``base`` (shortfall and ``D`` held at the values the ``no_parity_cuts`` solve
found) is solved, its fractional decision variables counted, and CP-SAT asked for a plan
in the box ``⌊x⌋ … ⌈x⌉`` around the LP's solution, with and without the ``D``
hold: where the box has a plan only without the hold, the LP's bound rests on
a fractional face of the D hold that no plan reaches.  Writes
``benchmarks/results/gap_sources.json`` and ``gap_sources.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mutasi_opt as mo
from mutasi_opt.domain.limits import CPSAT_WORK_PER_DTIME
from mutasi_opt.domain.problem import Problem
from mutasi_opt.sample import load_sample

RESULTS = Path(__file__).parent / "results"


def variant(base: Problem, name: str) -> Problem:
    """``base`` with the coupling ``name`` removed (see the module docstring)."""
    p = base
    if name in ("base", "no_parity_cuts"):
        return p
    if name == "lock_half":
        return p.replace(
            employees=tuple(e.replace(locked=True) if e.fte < 1 else e for e in p.employees)
        )
    every = name == "none"
    if name == "uniform" or every:
        p = p.replace(employees=tuple(e.replace(fte=1.0) for e in p.employees))
    if name == "no_headcount" or every:
        p = p.replace(units=tuple(u.replace(min_staff=None, max_staff=None) for u in p.units))
    if name == "no_requirements" or every:
        p = p.replace(requirements=())
    if name == "no_refusals" or every:
        p = p.replace(employees=tuple(e.replace(refused_units=()) for e in p.employees))
    if name == "no_pairs" or every:
        p = p.replace(pairs=())
    return p


VARIANTS = (
    "base",
    "no_parity_cuts",
    "lock_half",
    "uniform",
    "no_headcount",
    "no_requirements",
    "no_refusals",
    "no_pairs",
    "none",
)


@contextlib.contextmanager
def _without_parity_cuts(active: bool) -> Iterator[None]:
    """Switch the residue's parity cuts off (the ablation) while ``active``."""
    from mutasi_opt.solvers.cpsat.objective import Objective

    real = Objective._parity_cut
    if active:
        Objective._parity_cut = lambda self, u, r, z: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Objective._parity_cut = real  # type: ignore[method-assign]


def stage_row(plan: mo.Plan, name: str) -> dict[str, Any]:
    stage = next(s for s in plan.stages if s.name == name)
    return {
        "value": stage.value_display,
        "bound": stage.bound_display,
        "gap": round(stage.gap, 4),
        "status": stage.status.value,
    }


def lp_box(problem: Problem, plan: mo.Plan, *, work_limit: float, workers: int) -> dict[str, Any]:
    """The balance stage's LP with the plan's shortfall and D held, and CP-SAT in
    the box around its solution with and without the D hold (see the docstring)."""
    from ortools.sat.python import cp_model

    from mutasi_opt.solvers.aggregation import build_classes
    from mutasi_opt.solvers.cpsat import CpsatModel
    from mutasi_opt.solvers.highs import solve_proto

    assert plan.after is not None
    out: dict[str, Any] = {}
    for hold in (True, False):
        model = CpsatModel(problem, build_classes(problem))
        model._post_residues()
        model.fix_at_most(model.stage_expression("shortfall"), plan.after.value("shortfall"))
        model.fix_at_most(model.stage_expression("imbalance"), plan.after.value("imbalance"))
        if not hold:
            # the same rows, the D hold's upper end lifted: the LP keeps its vertex
            # (without the row HiGHS ends at another optimal one: 69 fractional, not 71)
            model.model.proto.constraints[model._holds[-1][0]].linear.domain[1] = 2**62
        balance = model.stage_expression("balance")
        model.model.clear_objective()  # type: ignore[no-untyped-call]
        model.model.minimize(balance)
        lp = solve_proto(model.model.proto, relax=True, presolve=False)
        assert lp.values is not None and lp.bound is not None
        decisions = [v for v in model.vars.out if v is not None]
        decisions += list(model.vars.arrive) + list(model.vars.pref)
        fractional = 0
        for v in decisions:
            x = float(lp.values[v.index])
            lo, hi = math.floor(x + 1e-9), math.ceil(x - 1e-9)
            fractional += lo != hi
            model.model.add(v >= lo)
            model.model.add(v <= hi)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = 0
        solver.parameters.max_deterministic_time = work_limit / CPSAT_WORK_PER_DTIME
        status = solver.solve(model.model)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        key = "with_d_hold" if hold else "without_d_hold"
        out[key] = {
            "lp_bound": round(lp.bound / 1e4, 1),
            "decisions": len(decisions),
            "fractional": fractional,
            "box_status": solver.status_name(status),
            "box_balance": round(solver.objective_value / 1e4, 1) if found else None,
            "box_imbalance_hours": (
                round(float(solver.value(model.stage_expression("imbalance"))) / 200, 2)
                if found
                else None
            ),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=445)
    ap.add_argument("--work-limit", type=float, default=6.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    base = load_sample()
    base = base.replace(policy=base.policy.replace(max_moves=args.budget))
    rows: list[dict[str, Any]] = []
    uncut_plan: mo.Plan | None = None
    for name in VARIANTS:
        t0 = time.perf_counter()
        with _without_parity_cuts(name == "no_parity_cuts"):
            plan = mo.solve(
                variant(base, name), work_limit=args.work_limit, workers=args.workers, seed=0
            )
        if name == "no_parity_cuts":
            uncut_plan = plan
        row = {
            "variant": name,
            "imbalance": stage_row(plan, "imbalance"),
            "balance": stage_row(plan, "balance"),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        rows.append(row)
        d, b = row["imbalance"], row["balance"]
        print(
            f"{name:16s} D {d['value']:11,.2f} (bound {d['bound']:11,.2f})  "
            f"B {b['value']:12,.1f} (bound {b['bound']:12,.1f}, gap {b['gap']:6.2%})",
            flush=True,
        )
    assert uncut_plan is not None and uncut_plan.has_solution
    with _without_parity_cuts(True):
        box = lp_box(base, uncut_plan, work_limit=args.work_limit, workers=args.workers)
    for key, cell in box.items():
        print(f"LP box {key}: {cell}")
    result = {
        "instance": "sample",
        "budget": args.budget,
        "work_limit": args.work_limit,
        "workers": args.workers,
        "variants": rows,
        "lp_box": box,
        "python": platform.python_version(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gap_sources.json").write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    lines = [
        f"# Where the B gap comes from (sample, {args.budget} moves, work limit "
        f"{args.work_limit:g}, {args.workers} workers)",
        "",
        "| variant | D | D bound | B | B bound | B gap |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        d, b = row["imbalance"], row["balance"]
        lines.append(
            f"| {row['variant']} | {d['value']:,.2f} | {d['bound']:,.2f} | {b['value']:,.1f} | "
            f"{b['bound']:,.1f} | {b['gap']:.2%} |"
        )
    lines += ["", "| LP of the balance stage | LP bound | fractional | box | box B | box D |"]
    lines += ["|---|---:|---:|---|---:|---:|"]
    for key, cell in box.items():
        lines.append(
            f"| {key.replace('_', ' ')} | {cell['lp_bound']:,.1f} | "
            f"{cell['fractional']} of {cell['decisions']} | {cell['box_status']} | "
            f"{cell['box_balance'] if cell['box_balance'] is not None else '–'} | "
            f"{cell['box_imbalance_hours'] if cell['box_imbalance_hours'] is not None else '–'} |"
        )
    (RESULTS / "gap_sources.md").write_text("\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    main()
