"""Where a frontier's time goes and where its gaps are: per budget and per stage.

One command, seeded:

    python benchmarks/frontier_stages.py [--time-limit 180] [--workers 2] [--employees N]
    python benchmarks/frontier_stages.py --work-limit 50   # the same on any machine

Solves :func:`mutasi_opt.frontier` on the embedded sample (or on
``synth.generate(N, seed=1)`` with ``--employees``) with the CLI's default
limits, then prints and writes ``benchmarks/results/frontier_stages.json``
(``frontier_N.json`` for a synthetic city; ``frontier_stages_work.json`` with
``--work-limit``, which replaces the time limit):
for each point its moves, D and B with their bounds and gaps, and for each
stage its value, bound, gap, seconds, bound source and status.  The worst B
gap over the points is the figure of the quality issue (goal: ≤ 1%).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import mutasi_opt as mo
from mutasi_opt import synth
from mutasi_opt.sample import load_sample

OUT = Path(__file__).parent / "results" / "frontier_stages.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=180.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--work-limit", type=float, default=None, help="work units instead of the time limit"
    )
    ap.add_argument("--employees", type=int, default=None, help="a synthetic city instead")
    ap.add_argument(
        "--no-neighbourhoods",
        action="store_true",
        help="ablation: without the neighbourhood search (results not written)",
    )
    args = ap.parse_args()
    problem = load_sample() if args.employees is None else synth.generate(args.employees, seed=1)
    t0 = time.perf_counter()
    params = mo.SolveParams(
        time_limit=None if args.work_limit is not None else args.time_limit,
        work_limit=args.work_limit,
        workers=args.workers,
        neighbourhoods=not args.no_neighbourhoods,
    )
    curve = mo.frontier(problem, params=params)
    seconds = time.perf_counter() - t0
    points = []
    for p in curve.points:
        stages = [
            {
                "stage": s.name,
                "value": s.value_display,
                "bound": s.bound_display,
                "gap": round(s.gap, 4),
                "seconds": round(s.seconds, 2),
                "bound_source": s.bound_source,
                "status": s.status.value,
            }
            for s in p.plan.stages
        ]
        points.append(
            {
                "budget": p.budget,
                "moves": p.moves,
                "imbalance_hours": p.imbalance_hours,
                "imbalance_bound_hours": p.imbalance_bound_hours,
                "balance_cost": p.balance_cost,
                "balance_bound": p.balance_bound,
                "balance_gap": round(p.balance_gap, 4),
                "seconds": round(p.seconds, 2),
                "stages": stages,
            }
        )
        cells = "  ".join(f"{s['stage']} {s['gap']:.1%} {s['seconds']:.1f}s" for s in stages)
        print(
            f"budget {p.budget:5d}  moves {p.moves:5d}  B gap {p.balance_gap:6.1%}  "
            f"{p.seconds:5.1f}s  |  {cells}"
        )
    worst = max((p["balance_gap"] for p in points), default=0.0)
    print(f"{len(points)} points in {seconds:.1f}s; worst B gap {worst:.1%}")
    if args.no_neighbourhoods:
        return
    name = "frontier_stages.json" if args.employees is None else f"frontier_{args.employees}.json"
    if args.work_limit is not None:
        name = name.replace(".json", "_work.json")
    (OUT.parent / name).write_text(
        json.dumps(
            {
                "instance": "sample" if args.employees is None else f"synth {args.employees}",
                "time_limit": None if args.work_limit is not None else args.time_limit,
                "work_limit": args.work_limit,
                "workers": args.workers,
                "seconds": round(seconds, 1),
                "worst_balance_gap": worst,
                "points": points,
                "python": platform.python_version(),
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
