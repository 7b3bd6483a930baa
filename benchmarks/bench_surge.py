"""Benchmark of secondment planning: our solver vs HiGHS on the same MIP.

One command, seeded:

    python benchmarks/bench_surge.py [--sizes 5000 20000] [--time-limit 60]

Each instance is ``synth.generate(n, seed=1)`` with three overlapping surges
over a 12-month horizon (2026-01..2026-12):

* ``VAKS``: Dinas Kesehatan needs vaksinasi ≥ 2 help, 2026-02..2026-07;
* ``REG``: Dinas Kesehatan needs registration help of any role, 2026-05..2026-10;
* ``PKM``: the first puskesmas needs perawat help, 2026-08..2026-12;

the need scales with the city (``n / 1,000`` FTE for VAKS, ``n / 2,000`` for
the others).  Per instance, in separate processes and in the same run: our
:func:`mutasi_opt.plan_surges` (CP-SAT, greedy first plan) and HiGHS on
exactly the same MIP, stage by stage, each stage held at HiGHS's own value,
with the same total time limit.  It prints and writes
``benchmarks/results/surge.{json,md}``: per stage time, value, bound, gap.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(Path(__file__).parent))  # highs_stages
STAGES = ("uncovered", "balance", "people", "months", "preference")
SCALE = {"uncovered": 100, "balance": 120_000, "people": 1, "months": 1, "preference": 1}
SHARES = {"uncovered": 0.25, "balance": 0.45, "people": 0.4, "months": 0.5, "preference": 1.0}


def make_instance(n: int) -> tuple[Any, Any]:
    """The problem and its three surges."""
    from mutasi_opt import Surge, synth

    problem = synth.generate(n_employees=n, seed=1)
    pkm = next(u.unit for u in problem.units if u.unit.startswith("PKM"))
    surges = (
        Surge(
            surge="VAKS",
            unit="DINKES",
            competency="vaksinasi",
            min_level=2,
            start="2026-02",
            end="2026-07",
            extra_fte=n / 1000,
        ),
        Surge(surge="REG", unit="DINKES", start="2026-05", end="2026-10", extra_fte=n / 2000),
        Surge(
            surge="PKM",
            unit=pkm,
            role="perawat",
            start="2026-08",
            end="2026-12",
            extra_fte=n / 2000,
        ),
    )
    return problem, surges


def run_ours(problem: Any, surges: Any, time_limit: float, workers: int) -> dict[str, Any]:
    from mutasi_opt import plan_surges

    t0 = time.perf_counter()
    plan = plan_surges(problem, surges, time_limit=time_limit, workers=workers)
    total = time.perf_counter() - t0
    return {
        "status": plan.status.value,
        "total_seconds": total,
        "stages": [
            {
                "stage": s.name,
                "status": s.status,
                "seconds": s.seconds,
                "value": s.value,
                "bound": s.bound,
            }
            for s in plan.stages
        ],
    }


def run_highs(problem: Any, surges: Any, time_limit: float, workers: int) -> dict[str, Any]:
    from highs_stages import highs_stages

    from mutasi_opt.solvers.cpsat.surge import SurgeModel

    t0 = time.perf_counter()
    model = SurgeModel(problem, surges, problem.index.home)
    stages = highs_stages(
        model.model,
        STAGES,
        model.expression,
        lambda stage, expr, value: model.hold(stage, value),
        shares=SHARES,
        gaps={"balance": problem.policy.balance_gap},
        t0=t0,
        time_limit=time_limit,
        workers=workers,
    )
    return {
        "status": stages[-1]["status"] if stages else "unknown",
        "total_seconds": time.perf_counter() - t0,
        "stages": stages,
    }


RUNNERS = {"ours": run_ours, "highs": run_highs}


def child(n: int, solver: str, time_limit: float, workers: int) -> None:
    problem, surges = make_instance(n)
    result = RUNNERS[solver](problem, surges, time_limit, workers)
    result.update(
        instance=f"synth-{n}",
        solver=solver,
        employees=n,
        peak_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    print("RESULT " + json.dumps(result))


def gap(stage: dict[str, Any]) -> float | None:
    if stage.get("value") is None:
        return None
    v, b = stage["value"], stage.get("bound", 0)
    return 0.0 if v == b else (v - b) / max(abs(v), 1)


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| instance | solver | stage | seconds | value | bound | gap |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        for s in r["stages"]:
            v, b, g = s.get("value"), s.get("bound"), gap(s)
            sc = SCALE[s["stage"]]
            lines.append(
                f"| {r['instance']} | {r['solver']} | {s['stage']} | {s['seconds']:.1f} | "
                f"{'–' if v is None else f'{v / sc:,.2f}'} | "
                f"{'–' if b is None else f'{b / sc:,.2f}'} | "
                f"{'–' if g is None else f'{100 * g:.2f}%'} |"
            )
    lines += ["", "| instance | solver | total s | peak MB |", "|---|---|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['instance']} | {r['solver']} | {r['total_seconds']:.1f} | "
            f"{r['peak_memory_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[5000, 20000])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS / "surge")
    ap.add_argument("--child", nargs=2, metavar=("N", "SOLVER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1], args.time_limit, args.workers)
        return
    results = []
    for n in args.sizes:
        for solver in RUNNERS:
            cmd = [sys.executable, __file__, "--child", str(n), solver]
            cmd += ["--time-limit", str(args.time_limit), "--workers", str(args.workers)]
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=4 * args.time_limit + 600
            )
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(f"synth-{n} {solver}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            result = json.loads(line[7:])
            results.append(result)
            print(
                f"synth-{n:>6} {solver:<6} {result['status']:<10} {result['total_seconds']:6.1f}s"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    report = markdown(results)
    args.out.with_suffix(".md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
