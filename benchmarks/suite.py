"""Benchmark suite: our solver vs the naive per-employee CP-SAT model vs HiGHS.

One command, seeded:

    python benchmarks/suite.py [--sizes 1000 5000 20000 100000] [--sample]
                               [--time-limit 60] [--out benchmarks/results/suite]

For each instance (``synth.generate(n, seed=1)`` with a move budget of about
half the moves an unconstrained plan uses — estimated by the greedy warm start
without a budget — and the embedded sample) and each solver, one subprocess
runs the lexicographic stages with the same total time limit and records per
stage: time, value, bound, gap, plus the model-building time and the peak
memory (ru_maxrss) of the process:

* ``ours``   — :func:`mutasi_opt.solve` (types/classes, Hall constraints,
  hull cuts, LP bounds, greedy warm starts);
* ``naive``  — the same CP-SAT stages on one 0/1 variable per employee and
  allowed unit (``build_classes(per_employee=True)``), no warm start, no LP;
* ``highs``  — HiGHS (highspy) on exactly our MIP, stage by stage, each stage
  held at HiGHS's own value.

It writes ``OUT.json`` and ``OUT.md`` (with time-to-gap ratios to both peers)
and, when matplotlib is installed, ``OUT_scaling.png``: time to reach the
target gaps (D within 0.1 %, B within 1 %) against N on log-log axes with the
fitted exponent.
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
sys.path.insert(0, str(Path(__file__).parent))  # highs_stages, when imported from elsewhere
STAGES = ("shortfall", "imbalance", "balance", "moves", "preference")
SCALE = {"shortfall": 1, "imbalance": 200, "balance": 10_000, "moves": 1, "preference": 1}
TARGET_GAP = {"imbalance": 0.001, "balance": 0.01}
NAIVE_MAX_VARS = 5_000_000


# ----------------------------------------------------------------- instances
def make_problem(name: str) -> Any:
    """The instance ``name``: ``sample`` or ``synth-N``."""
    from mutasi_opt import synth
    from mutasi_opt.sample import load_sample

    if name == "sample":
        return load_sample()
    n = int(name.split("-")[1])
    problem = synth.generate(n_employees=n, seed=1)
    budget = max(1, unconstrained_moves(problem) // 2)
    return problem.replace(policy=problem.policy.replace(max_moves=budget))


def unconstrained_moves(problem: Any) -> int:
    """Moves of the greedy imbalance plan without a budget (a proxy for the optimum's)."""
    import numpy as np

    from mutasi_opt.solvers.aggregation import build_classes
    from mutasi_opt.solvers.greedy import greedy_improve

    free = problem.replace(policy=problem.policy.replace(max_moves=None))
    classes = build_classes(free)
    n_arr = sum(len(t) for t in classes.type_targets)
    start = {
        "out": np.zeros(classes.n, dtype=np.int64),
        "arrive": np.zeros(n_arr, dtype=np.int64),
        "pref": np.zeros(len(classes.pref_options), dtype=np.int64),
    }
    best = greedy_improve(free, classes, start, objective="imbalance", shortfall_cap=10**9)
    return int(best["out"].sum())


# ------------------------------------------------------------------- solvers
def run_ours(problem: Any, time_limit: float, workers: int, **options: bool) -> dict[str, Any]:
    from mutasi_opt import SolveParams
    from mutasi_opt.planning.solve import solve_with_stage_hook

    trace: list[tuple[float, str, float, float]] = []
    starts: list[float] = []  # wall seconds at which each stage began (after its warm start)
    t0 = time.perf_counter()

    def progress(stage: str, value: float, bound: float) -> None:
        trace.append((time.perf_counter() - t0, stage, value, bound))

    def hook(stage: str, model: Any) -> None:
        starts.append(time.perf_counter() - t0)

    params = SolveParams(time_limit=time_limit, workers=workers, seed=0, **options)
    plan = solve_with_stage_hook(problem, params, stage_hook=hook, progress=progress)
    total = time.perf_counter() - t0
    # a stage ended when its solve did: it began after its warm start (the hook's
    # time) and took the stage's seconds; the hold and the next stage's warm start
    # come after (before, the next stage's start was taken, which counted the next
    # warm start to this stage: at 20,000 employees about 3 s of the time to D)
    ends = [start + s.seconds for start, s in zip(starts, plan.stages, strict=False)]
    return {
        "status": plan.status.value,
        "build_seconds": plan.build_seconds,
        "total_seconds": total,
        "stages": [
            {
                "stage": s.name,
                "status": s.status,
                "seconds": s.seconds,
                "value": s.value,
                "bound": s.bound,
                "bound_source": s.bound_source,
                "ended": end,
            }
            for s, end in zip(plan.stages, ends, strict=False)
        ],
        "trace": trace,
    }


def run_naive(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    from mutasi_opt.domain.limits import Budget
    from mutasi_opt.solvers.aggregation import build_classes
    from mutasi_opt.solvers.cpsat import CpsatModel, Unsolved

    t0 = time.perf_counter()
    classes = build_classes(problem, per_employee=True)
    n_vars = sum(len(t) for t in classes.type_targets)
    if n_vars > NAIVE_MAX_VARS:
        # one variable per employee and allowed unit does not fit: report, do not swap
        return {
            "status": f"too large ({n_vars:,} variables)",
            "build_seconds": time.perf_counter() - t0,
            "total_seconds": time.perf_counter() - t0,
            "stages": [],
            "trace": [],
        }
    model = CpsatModel(problem, classes)
    build = time.perf_counter() - t0
    deadline = t0 + time_limit
    shares = {"shortfall": 0.25, "imbalance": 0.3, "balance": 0.45, "moves": 0.5, "preference": 1.0}
    stages = []
    trace: list[tuple[float, str, float, float]] = []
    for stage in STAGES:
        left = max(0.05, (deadline - time.perf_counter()) * shares[stage])

        def progress(value: float, bound: float, stage: str = stage) -> None:
            trace.append((time.perf_counter() - t0, stage, value, bound))

        out = model.solve_stage(
            stage, budget=Budget(left), seed=0, workers=workers, lp=False, progress=progress
        )
        if isinstance(out, Unsolved):
            stages.append({"stage": stage, "status": out.status.value, "seconds": out.seconds})
            break
        result = out.result
        stages.append(
            {
                "stage": stage,
                "status": result.status.value,
                "seconds": result.seconds,
                "value": result.value,
                "bound": result.bound,
                "bound_source": result.bound_source,
                "ended": time.perf_counter() - t0,
            }
        )
        model.fix_at_most(model.stage_expression(stage), result.value)
    return {
        "status": stages[-1]["status"] if stages else "unknown",
        "build_seconds": build,
        "total_seconds": time.perf_counter() - t0,
        "stages": stages,
        "trace": trace,
    }


def run_highs(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    from highs_stages import highs_stages

    from mutasi_opt.solvers.aggregation import build_classes
    from mutasi_opt.solvers.cpsat import CpsatModel

    t0 = time.perf_counter()
    model = CpsatModel(problem, build_classes(problem))
    build = time.perf_counter() - t0
    stages = highs_stages(
        model.model,
        STAGES,
        model.expression_for,  # the stage's model as ours solves it (residues from D on)
        lambda stage, expr, value: model.fix_at_most(expr, value),
        shares={
            "shortfall": 0.25,
            "imbalance": 0.3,
            "balance": 0.45,
            "moves": 0.5,
            "preference": 1.0,
        },
        gaps={"balance": problem.policy.balance_gap},
        t0=t0,
        time_limit=time_limit,
        workers=workers,
    )
    return {
        "status": stages[-1]["status"] if stages else "unknown",
        "build_seconds": build,
        "total_seconds": time.perf_counter() - t0,
        "stages": stages,
        "trace": [],
    }


def run_ours_no_greedy(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    return run_ours(problem, time_limit, workers, warm_start=False)


def run_ours_no_lp(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    return run_ours(problem, time_limit, workers, lp_bounds=False)


def run_ours_no_lns(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    return run_ours(problem, time_limit, workers, neighbourhoods=False)


def run_ours_no_lattice(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    from mutasi_opt.solvers.cpsat.objective import Objective

    def skip(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    # the half-timer strengthening: D's residue variables and cuts, B's lattice cuts
    Objective._residues = skip  # type: ignore[method-assign]  # this process only
    Objective._lattice_cuts = skip  # type: ignore[method-assign]
    return run_ours(problem, time_limit, workers)


RUNNERS = {"ours": run_ours, "naive": run_naive, "highs": run_highs}
#: ablations of our pipeline (``--solvers ours ours-no-greedy ours-no-lp ours-no-lns
#: ours-no-lattice``)
ABLATIONS = {
    "ours-no-greedy": run_ours_no_greedy,
    "ours-no-lp": run_ours_no_lp,
    "ours-no-lns": run_ours_no_lns,
    "ours-no-lattice": run_ours_no_lattice,
}


def child(instance: str, solver: str, time_limit: float, workers: int) -> None:
    """Run one solver on one instance and print a JSON line (called in a subprocess)."""
    problem = make_problem(instance)
    result = {**RUNNERS, **ABLATIONS}[solver](problem, time_limit, workers)
    result["instance"] = instance
    result["solver"] = solver
    result["employees"] = len(problem.employees)
    result["max_moves"] = problem.policy.max_moves
    result["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


# ------------------------------------------------------------------- report
def gap(stage: dict[str, Any]) -> float | None:
    if stage.get("value") is None:
        return None
    v, b = stage["value"], stage.get("bound", 0)
    return 0.0 if v == b else (v - b) / max(abs(v), 1)


def time_to_target(result: dict[str, Any], last: str = "balance") -> float | None:
    """Wall seconds from the start (model building included) until every stage up to
    ``last`` was within its target gap (D ≤ 0.1 %, B ≤ 1 %); None if never."""
    stages = {s["stage"]: s for s in result["stages"]}
    names = ("shortfall", "imbalance", "balance")
    for name in names[: names.index(last) + 1]:
        s = stages.get(name)
        if s is None or s.get("value") is None:
            return None
        g = gap(s)
        if name in TARGET_GAP and (g is None or g > TARGET_GAP[name]):
            return None
    end = stages[last].get("ended")
    return float(end) if end is not None else None


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| instance | solver | stage | seconds | value | bound | gap |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        for s in r["stages"]:
            scale = SCALE[s["stage"]]
            v = s.get("value")
            b = s.get("bound")
            g = gap(s)
            lines.append(
                f"| {r['instance']} | {r['solver']} | {s['stage']} | {s['seconds']:.1f} | "
                f"{'–' if v is None else f'{v / scale:,.2f}'} | "
                f"{'–' if b is None else f'{b / scale:,.2f}'} | "
                f"{'–' if g is None else f'{100 * g:.2f}%'} |"
            )
    lines += [
        "",
        "| instance | solver | build s | total s | peak MB | time to D ≤ 0.1 % "
        "| time to target (D ≤ 0.1 %, B ≤ 1 %) | ratio peer/ours |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_inst: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_inst.setdefault(r["instance"], {})[r["solver"]] = r
    for inst, runs in by_inst.items():
        ours_t = time_to_target(runs["ours"]) if "ours" in runs else None
        for solver, r in runs.items():
            t = time_to_target(r)
            ratio = "–"
            if solver != "ours" and ours_t:
                # a peer that never reached the target has no finite ratio: say so
                if t is not None:
                    ratio = f"{t / ours_t:.1f}×"
                elif str(r["status"]).startswith("too large"):
                    ratio = str(r["status"])
                else:
                    ratio = f"never ({r['total_seconds']:.0f} s run)"
            t_d = time_to_target(r, "imbalance")
            lines.append(
                f"| {inst} | {solver} | {r['build_seconds']:.2f} | {r['total_seconds']:.1f} | "
                f"{r['peak_memory_mb']:.0f} | {'not reached' if t_d is None else f'{t_d:.1f}'} | "
                f"{'not reached' if t is None else f'{t:.1f}'} | {ratio} |"
            )
    return "\n".join(lines) + "\n"


def scaling_plot(results: list[dict[str, Any]], path: Path) -> str | None:
    """Log-log plot of our time to target against N, with fitted exponents.

    Two curves: time until D is within 0.1 %, and until B is within 1 % as well
    (each where reached; a fit needs two sizes).  Returns the exponents as text.
    """
    import numpy as np

    series = {}
    for last, label in (("imbalance", "D ≤ 0.1 %"), ("balance", "D ≤ 0.1 % and B ≤ 1 %")):
        pts = [
            (r["employees"], time_to_target(r, last))
            for r in results
            if r["solver"] == "ours" and r["instance"].startswith("synth")
        ]
        pts = sorted((n, t) for n, t in pts if t)
        if len(pts) >= 2:
            n, t = np.array(pts, dtype=float).T
            slope, intercept = np.polyfit(np.log(n), np.log(t), 1)
            series[label] = (n, t, slope, intercept)
    if not series:
        return None
    text = "; ".join(
        f"{label}: t ∝ N^{slope:.2f} over N = {', '.join(f'{int(x):,}' for x in n)}"
        for label, (n, _, slope, _) in series.items()
    )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return text + " (matplotlib not installed: no plot)"
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for label, (n, t, slope, intercept) in series.items():
        (line,) = ax.loglog(n, t, "o-", label=f"{label}")
        grid = np.geomspace(n.min(), n.max(), 20)
        ax.loglog(
            grid,
            np.exp(intercept) * grid**slope,
            "--",
            color=line.get_color(),
            label=f"fit N^{slope:.2f}",
        )
    ax.set_xlabel("employees")
    ax.set_ylabel("seconds to target (2 workers)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000, 100000])
    ap.add_argument("--sample", action="store_true", help="also run the embedded sample")
    ap.add_argument("--solvers", nargs="*", default=list(RUNNERS), choices=[*RUNNERS, *ABLATIONS])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per solver run")
    ap.add_argument("--big-time-limit", type=float, default=300.0, help="for ≥ 100,000 employees")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS / "suite")
    ap.add_argument("--child", nargs=2, metavar=("INSTANCE", "SOLVER"), help=argparse.SUPPRESS)
    ap.add_argument(
        "--report-only", action="store_true", help="rewrite OUT.md and the plot from OUT.json"
    )
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.time_limit, args.workers)
        return
    if args.report_only:
        write_report(json.loads(args.out.with_suffix(".json").read_text()), args.out)
        return
    instances = (["sample"] if args.sample else []) + [f"synth-{n}" for n in args.sizes]
    results = []
    for inst in instances:
        limit = (
            args.big_time_limit
            if inst != "sample" and int(inst[6:]) >= 100_000
            else args.time_limit
        )
        for solver in args.solvers:
            cmd = [
                sys.executable,
                __file__,
                "--child",
                inst,
                solver,
                "--time-limit",
                str(limit),
                "--workers",
                str(args.workers),
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit * 4 + 600)
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(
                    f"{inst} {solver}: failed after {time.perf_counter() - t0:.0f}s\n"
                    f"{proc.stderr[-2000:]}",
                    file=sys.stderr,
                )
                continue
            result = json.loads(line[7:])
            results.append(result)
            print(
                f"{inst:>12} {solver:<6} {result['status']:<9} "
                f"{result['total_seconds']:7.1f}s peak {result['peak_memory_mb']:.0f} MB",
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    write_report(results, args.out)


def write_report(results: list[dict[str, Any]], out: Path) -> None:
    """Write OUT.md (tables, ratios, fitted exponents) and the scaling plot."""
    report = markdown(results)
    exponent = scaling_plot(results, out.with_name(out.name + "_scaling.png"))
    if exponent:
        report += f"\nScaling of our wall time to target: {exponent}.\n"
    out.with_suffix(".md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
