"""Solver benchmark: per stage time, value, bound and gap — CP-SAT vs HiGHS on the same MIP.

Run:  python benchmarks/bench_solve.py [--sizes 1000 5000 20000] [--time-limit 60]

For each instance (the embedded sample and ``synth.generate`` problems with a
move budget of 3 % of the employees),
:func:`mutasi_opt.planning.solve.solve_with_stage_hook` runs the
five stages with CP-SAT; before each stage a hook hands exactly the same model
(objective set, earlier stages held at CP-SAT's values) to HiGHS (highspy) with
the same per-stage time limit.  Results go to ``benchmarks/results/solve.json``
and ``benchmarks/results/solve.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

from mutasi_opt import SolveParams, synth
from mutasi_opt.domain.problem import Problem
from mutasi_opt.planning.solve import solve_with_stage_hook
from mutasi_opt.solvers.cpsat import CpsatModel
from mutasi_opt.solvers.highs import solve_proto

SCALE = {"shortfall": 1, "imbalance": 200, "balance": 10_000, "moves": 1, "preference": 1}
RESULTS = Path(__file__).parent / "results"


def instances(sizes: list[int], with_sample: bool) -> list[tuple[str, Problem]]:
    out: list[tuple[str, Problem]] = []
    if with_sample:
        from mutasi_opt.sample import load_sample

        out.append(("sample", load_sample()))
    for n in sizes:
        p = synth.generate(n_employees=n, seed=1)
        p = p.replace(policy=p.policy.replace(max_moves=max(1, round(0.03 * n))))
        out.append((f"synth-{n}", p))
    return out


def run_instance(
    name: str, problem: Problem, time_limit: float, peer_limit: float, workers: int
) -> dict[str, Any]:
    peer: dict[str, dict[str, Any]] = {}

    def hook(stage: str, model: CpsatModel) -> None:
        expr = model.stage_expression(stage)
        if isinstance(expr, int):
            peer[stage] = {"status": "constant", "value": expr, "bound": expr, "seconds": 0.0}
            return
        model.model.clear_objective()
        model.model.minimize(expr)
        gap = problem.policy.balance_gap if stage == "balance" else 0.0
        r = solve_proto(model.model.proto, time_limit=peer_limit, relative_gap=gap, threads=workers)
        peer[stage] = {
            "status": r.status,
            "value": None if r.objective is None else r.objective / SCALE[stage],
            "bound": None if r.bound is None else r.bound / SCALE[stage],
            "seconds": round(r.seconds, 2),
        }

    t0 = time.perf_counter()
    params = SolveParams(time_limit=time_limit, workers=workers, seed=0)
    plan = solve_with_stage_hook(problem, params, stage_hook=hook)
    wall = time.perf_counter() - t0
    stages = []
    for s in plan.stages:
        p = peer.get(s.name, {})
        stages.append(
            {
                "stage": s.name,
                "cpsat_status": s.status,
                "cpsat_seconds": round(s.seconds, 2),
                "cpsat_value": s.value_display,
                "cpsat_bound": s.bound_display,
                "cpsat_gap": round(s.gap, 5),
                "highs_status": p.get("status"),
                "highs_seconds": p.get("seconds"),
                "highs_value": p.get("value"),
                "highs_bound": p.get("bound"),
            }
        )
    return {
        "instance": name,
        "employees": len(problem.employees),
        "units": len(problem.units),
        "max_moves": problem.policy.max_moves,
        "status": plan.status.value,
        "cpsat_total_seconds": round(plan.solve_seconds, 2),
        "wall_seconds_with_peer": round(wall, 2),
        "build_seconds": round(plan.build_seconds, 3),
        "D_before": plan.before.imbalance_hours,
        "D_after": None if plan.after is None else plan.after.imbalance_hours,
        "B_before": plan.before.balance_cost,
        "B_after": None if plan.after is None else plan.after.balance_cost,
        "moves": None if plan.after is None else plan.after.moves,
        "stages": stages,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| instance | stage | CP-SAT s | CP-SAT value | CP-SAT bound | gap "
        "| HiGHS s | HiGHS value | HiGHS bound |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def f(x: Any) -> str:
        return "–" if x is None else (f"{x:,.2f}" if isinstance(x, float) else str(x))

    for r in rows:
        for s in r["stages"]:
            lines.append(
                f"| {r['instance']} | {s['stage']} | {s['cpsat_seconds']} "
                f"| {f(s['cpsat_value'])} | "
                f"{f(s['cpsat_bound'])} | {100 * s['cpsat_gap']:.2f}% | {f(s['highs_seconds'])} | "
                f"{f(s['highs_value'])} | {f(s['highs_bound'])} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000])
    ap.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT seconds per instance")
    ap.add_argument("--peer-limit", type=float, default=20.0, help="HiGHS seconds per stage")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-sample", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS / "solve")
    args = ap.parse_args()
    rows = []
    for name, problem in instances(args.sizes, not args.no_sample):
        row = run_instance(name, problem, args.time_limit, args.peer_limit, args.workers)
        print(json.dumps(row, indent=1))
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "machine": platform.platform(),
        "cpus": 2,
        "workers": args.workers,
        "time_limit": args.time_limit,
        "peer_limit": args.peer_limit,
    }
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    args.out.with_suffix(".md").write_text(markdown(rows))
    print(markdown(rows))


if __name__ == "__main__":
    main()
