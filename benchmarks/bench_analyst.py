"""Benchmark of the analyst toolkit: history vs optimiser, and the frontier's cost.

One command, seeded:

    python benchmarks/bench_analyst.py [--sizes sample 20000] [--history-limit 120]
                                       [--frontier-limit 240] [--points 7] [--workers 2]

Instances: the embedded sample with its history (``history.csv``), and
``synth.generate(n, seed=1)`` with ``synthetic_history(problem, seed=1)``
(3 % of the employees moved in a year) for each other size.  Per instance, in
the same run:

* **history vs optimiser** (:func:`mutasi_opt.compare_history`): hours of D
  and B removed per move by the history and by the optimiser with the same
  number of moves under the same rules, their ratio, and the fewest moves with
  which the optimiser reaches the history's shortfall, D and B;
* **frontier cost**: :func:`mutasi_opt.frontier` with warm starts, its time as
  a multiple of the unconstrained solve inside it, and the same budgets solved
  cold (no start) with the same time per solve, as the peer: the D and B gaps
  per budget show what the warm starts buy at equal time.

And, for ``--proof-sizes`` (default 300 employees), without any time limit:
one solve, the frontier with warm starts and the same budgets cold, every
point proven: the cost multiple when nothing is cut short.

Writes ``benchmarks/results/analyst.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def instance(size: str) -> tuple[Any, Any, str]:
    """The problem, its history and a label."""
    from mutasi_opt import load_sample, load_sample_history, synth, synthetic_history

    if size == "sample":
        return load_sample(), load_sample_history(), "sample (5,000)"
    n = int(size)
    problem = synth.generate(n, seed=1)
    return problem, synthetic_history(problem, seed=1), f"synthetic {n:,}"


def point_row(curve: Any, p: Any) -> dict[str, Any]:
    imb = p.plan.stage("imbalance")
    return {
        "budget": p.budget,
        "moves": p.moves,
        "shortfall": p.shortfall,
        "imbalance_hours": round(p.imbalance_hours, 1),
        "imbalance_gap": None if imb is None else round(imb.gap, 6),
        "balance_cost": round(p.balance_cost, 1),
        "balance_gap": round(p.balance_gap, 6),
        "reduction": curve.reduction(p),
        "status": p.status,
        "seconds": round(p.seconds, 2),
    }


def run(size: str, args: argparse.Namespace) -> dict[str, Any]:
    from mutasi_opt import compare_history, frontier

    problem, history, label = instance(size)
    out: dict[str, Any] = {"instance": label, "employees": len(problem.employees)}
    print(f"== {label}: history ({len(history)} rows)", flush=True)
    t0 = time.perf_counter()
    cmp = compare_history(problem, history, time_limit=args.history_limit, workers=args.workers)
    h, o = cmp.history.after, cmp.optimised.after
    out["history"] = {
        "rows": len(history),
        "replayed": len(cmp.history.applied),
        "rule_exceptions": len(cmp.history.exceptions),
        "skipped": len(cmp.history.skipped),
        "moves": h.moves,
        "imbalance_before": cmp.history.before.imbalance_hours,
        "imbalance_history": h.imbalance_hours,
        "imbalance_optimiser": None if o is None else o.imbalance_hours,
        "balance_before": cmp.history.before.balance_cost,
        "balance_history": h.balance_cost,
        "balance_optimiser": None if o is None else o.balance_cost,
        "shortfall_before": cmp.history.before.shortfall,
        "shortfall_history": h.shortfall,
        "shortfall_optimiser": None if o is None else o.shortfall,
        "d_per_move_history": cmp.gain_per_move_history,
        "d_per_move_optimiser": cmp.gain_per_move_optimiser,
        "b_per_move_history": cmp.balance_gain_per_move_history,
        "b_per_move_optimiser": cmp.balance_gain_per_move_optimiser,
        "optimiser_status": cmp.optimised.status.value,
        "moves_to_match": cmp.reach.moves,
        "moves_to_match_bound": cmp.reach.bound,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(out["history"], indent=1), flush=True)
    print(f"== {label}: frontier, warm starts", flush=True)
    warm = frontier(
        problem, points=args.points, time_limit=args.frontier_limit, workers=args.workers
    )
    budgets = [p.budget for p in warm.points]
    print(warm, flush=True)
    print(f"== {label}: the same budgets, cold", flush=True)
    cold = frontier(
        problem,
        budgets,
        time_limit=args.frontier_limit,
        workers=args.workers,
        warm_start=False,
    )
    out["frontier"] = {
        "points": args.points,
        "time_limit": args.frontier_limit,
        "seconds": round(warm.seconds, 1),
        "one_solve_seconds": round(warm.one_solve_seconds, 1),
        "cost_multiple": round(warm.cost_multiple, 2),
        "suggestion": warm.suggestion(),
        "knee_budget": None if warm.knee is None else warm.knee.budget,
        "warm": [point_row(warm, p) for p in warm.points],
        "cold": [point_row(cold, p) for p in cold.points],
        "cold_seconds": round(cold.seconds, 1),
    }
    print(cold, flush=True)
    return out


def proof_run(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Without a time limit: every point proven, warm vs cold, and one solve."""
    from mutasi_opt import frontier, solve, synth

    problem = synth.generate(n, seed=1)
    print(f"== synthetic {n:,}: proof mode", flush=True)
    t0 = time.perf_counter()
    one = solve(problem, workers=args.workers)
    one_seconds = time.perf_counter() - t0
    warm = frontier(problem, points=args.points, workers=args.workers)
    budgets = [p.budget for p in warm.points]
    cold = frontier(problem, budgets, workers=args.workers, warm_start=False)
    print(warm, flush=True)
    return {
        "instance": f"synthetic {n:,} (proof mode)",
        "one_solve_seconds": round(one_seconds, 2),
        "one_solve_status": one.status.value,
        "warm_seconds": round(warm.seconds, 2),
        "cold_seconds": round(cold.seconds, 2),
        "warm_multiple": round(warm.seconds / one_seconds, 2),
        "cold_multiple": round(cold.seconds / one_seconds, 2),
        "points": len(warm.points),
        "all_optimal": all(p.status == "optimal" for p in warm.points),
        "same_values": [p.plan.after.stage_values() for p in warm.points]  # type: ignore[union-attr]
        == [p.plan.after.stage_values() for p in cold.points],  # type: ignore[union-attr]
        "suggestion": warm.suggestion(),
    }


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0 or a <= 0:
        return "—"
    return f"{a / b:.1f}×"


def report(results: list[dict[str, Any]], proofs: list[dict[str, Any]]) -> str:
    lines = [
        "# Analyst toolkit benchmark",
        "",
        "`python benchmarks/bench_analyst.py` — history vs optimiser (same rules, same number "
        "of moves), and the frontier with warm starts vs the same budgets solved cold.",
        "",
        "## Balance gained per move",
        "",
        "| instance | history moves (exceptions) | D/move history | D/move optimiser | ratio | "
        "B/move history | B/move optimiser | fewest moves reaching the history (bound) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        h = r["history"]

        def f(x: float | None) -> str:
            return "—" if x is None else f"{x:,.1f}"

        lines.append(
            f"| {r['instance']} | {h['moves']} ({h['rule_exceptions']}) | "
            f"{f(h['d_per_move_history'])} h | {f(h['d_per_move_optimiser'])} h | "
            f"{ratio(h['d_per_move_optimiser'], h['d_per_move_history'])} | "
            f"{f(h['b_per_move_history'])} | {f(h['b_per_move_optimiser'])} | "
            f"{h['moves_to_match']} (≥ {h['moves_to_match_bound']}) |"
        )
    lines += [
        "",
        "## Frontier cost",
        "",
        "| instance | points | curve seconds | unconstrained solve seconds | cost multiple | "
        "suggestion |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        fr = r["frontier"]
        lines.append(
            f"| {r['instance']} | {len(fr['warm'])} | {fr['seconds']} | "
            f"{fr['one_solve_seconds']} | {fr['cost_multiple']}× | {fr['suggestion']} |"
        )
    if proofs:
        lines += [
            "",
            "## Frontier cost with every point proven (no time limit)",
            "",
            "| instance | points | one solve (s) | frontier warm (s) | multiple "
            "| frontier cold (s) | multiple | all optimal | same values warm/cold |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for q in proofs:
            lines.append(
                f"| {q['instance']} | {q['points']} | {q['one_solve_seconds']} | "
                f"{q['warm_seconds']} | {q['warm_multiple']}× | {q['cold_seconds']} | "
                f"{q['cold_multiple']}× | {q['all_optimal']} | {q['same_values']} |"
            )
    for r in results:
        fr = r["frontier"]
        lines += [
            "",
            f"### {r['instance']}: warm vs cold at equal time per budget",
            "",
            "| budget | D warm | D cold | D gap warm | D gap cold | B warm | B cold | "
            "B gap warm | B gap cold |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        cold = {p["budget"]: p for p in fr["cold"]}
        for p in fr["warm"]:
            c = cold.get(p["budget"], {})

            def pct(x: float | None) -> str:
                return "—" if x is None else f"{100 * x:.3f}%"

            lines.append(
                f"| {p['budget']} | {p['imbalance_hours']:,.1f} | "
                f"{c.get('imbalance_hours', float('nan')):,.1f} | {pct(p['imbalance_gap'])} | "
                f"{pct(c.get('imbalance_gap'))} | {p['balance_cost']:,.1f} | "
                f"{c.get('balance_cost', float('nan')):,.1f} | {pct(p['balance_gap'])} | "
                f"{pct(c.get('balance_gap'))} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", default=["sample", "20000"])
    ap.add_argument("--history-limit", type=float, default=120.0)
    ap.add_argument("--frontier-limit", type=float, default=240.0)
    ap.add_argument("--points", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--proof-sizes", nargs="*", type=int, default=[300], help="sizes solved without limits"
    )
    ap.add_argument("--out", type=Path, default=RESULTS / "analyst")
    args = ap.parse_args()
    results = [run(size, args) for size in args.sizes]
    proofs = [proof_run(n, args) for n in args.proof_sizes]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(
        json.dumps({"timed": results, "proofs": proofs}, indent=2, default=str) + "\n"
    )
    text = report(results, proofs)
    args.out.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
