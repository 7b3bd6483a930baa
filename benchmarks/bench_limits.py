"""Time and work limits: seconds per work unit, reproducibility under load, on-time answers.

For each instance (the embedded sample, synthetic cities of 20,000 and 100,000):

* **work limits** — ``solve(work_limit=W, workers=2)`` on an idle machine and
  again with two busy processes competing for the two cores: the seconds it
  took (so that users can pick a work limit), the work used, and whether the
  plans are identical (SHA-256 of the assignment and the stage values);
* **time limits** — ``solve(time_limit=T, workers=2)`` idle and loaded: the
  seconds beyond the limit (the overhead of the anytime contract), whether a
  plan was returned and that it is never worse than nobody moving;
* the sample with ``max_moves=140`` at 0.5, 1 and 2 s, and the notebook's
  ``frontier(load_sample(), points=5, time_limit=35, workers=2)``, idle and
  loaded.

The peer measured in the same run is a reference CP-SAT solve (the sample's
imbalance stage with no hint, ``max_deterministic_time`` = 1, one worker):
its seconds per deterministic second, idle and loaded, give the machine's
speed, so seconds per work unit are also reported as a ratio to it.

Every solve runs in its own process.  Results go to
``benchmarks/results/limits.{json,md}``.

    python benchmarks/bench_limits.py [--sizes sample 20000 100000] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"

#: work limits per instance (units)
WORK = {"sample": [2.0, 8.0], "20000": [4.0, 16.0], "100000": [16.0]}
#: time limits per instance (seconds)
TIME = {"sample": [1.0, 5.0, 20.0], "20000": [1.0, 5.0, 20.0], "100000": [5.0, 30.0]}


@contextmanager
def busy(n: int) -> Iterator[None]:
    """``n`` processes that each keep a core busy."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        time.sleep(0.3)
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _problem(size: str, max_moves: int | None = None) -> Any:
    import mutasi_opt as mo

    p = mo.load_sample() if size == "sample" else mo.synth.generate(int(size), seed=0)
    if max_moves is not None:
        p = p.replace(policy=p.policy.replace(max_moves=max_moves))
    return p


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    import numpy as np

    import mutasi_opt as mo
    from mutasi_opt import metrics

    if spec["kind"] == "reference":
        from ortools.sat.python import cp_model

        from mutasi_opt.solvers.aggregation import build_classes
        from mutasi_opt.solvers.cpsat import CpsatModel

        p = mo.load_sample()
        m = CpsatModel(p, build_classes(p))
        m.model.minimize(m.stage_expression("imbalance"))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = 1.0
        t0 = time.perf_counter()
        solver.solve(m.model)
        seconds = time.perf_counter() - t0
        dtime = solver.response_proto.deterministic_time
        return {"seconds": seconds, "dtime": dtime, "seconds_per_dtime": seconds / dtime}
    problem = _problem(spec["size"], spec.get("max_moves"))
    before = metrics.evaluate(problem)
    names = metrics.stage_names(problem.policy)
    home = tuple(before.value(s) for s in names)
    t0 = time.perf_counter()
    if spec["kind"] == "frontier":
        curve = mo.frontier(problem, points=5, time_limit=spec["time_limit"], workers=2)
        seconds = time.perf_counter() - t0
        return {
            "seconds": seconds,
            "over": seconds - spec["time_limit"],
            "points": len(curve.points),
            "all_with_plan": all(pt.plan.has_solution for pt in curve.points),
            "stopped_by": curve.stopped_by,
            "moves": [pt.moves for pt in curve.points],
            "imbalance_hours": [round(pt.imbalance_hours, 1) for pt in curve.points],
        }
    plan = mo.solve(
        problem,
        time_limit=spec.get("time_limit"),
        work_limit=spec.get("work_limit"),
        workers=2,
        seed=0,
    )
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {
        "seconds": seconds,
        "status": plan.status.value,
        "work_used": plan.work_used,
        "stopped_by": plan.stopped_by,
        "has_plan": plan.has_solution,
    }
    if spec.get("time_limit") is not None:
        out["over"] = seconds - spec["time_limit"]
    if plan.has_solution:
        after = plan.after
        assert after is not None and plan.assignment_array is not None
        values = tuple(after.value(s) for s in names)
        out["values"] = list(values)
        out["not_worse_than_nobody_moving"] = values <= home
        out["sound"] = not mo.check_plan(problem, plan)
        digest = hashlib.sha256(np.asarray(plan.assignment_array, dtype=np.int64).tobytes())
        digest.update(json.dumps([s.to_dict() | {"seconds": 0} for s in plan.stages]).encode())
        out["hash"] = digest.hexdigest()[:16]
        out["moves"] = after.moves
        out["imbalance_hours"] = round(after.imbalance_hours, 2)
    return out


def measure(spec: dict[str, Any], loaded: bool) -> dict[str, Any]:
    """Run ``child(spec)`` in a new process, with two busy processes when ``loaded``."""
    cmd = [sys.executable, __file__, "--child", json.dumps(spec)]

    def run() -> dict[str, Any]:
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    if loaded:
        with busy(2):
            result = run()
    else:
        result = run()
    result.update(spec=spec, loaded=loaded)
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["sample", "20000", "100000"])
    ap.add_argument("--quick", action="store_true", help="the sample only, fewer limits")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=RESULTS / "limits")
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(child(json.loads(args.child))))
        return
    sizes = ["sample"] if args.quick else args.sizes
    rows: list[dict[str, Any]] = []
    for loaded in (False, True):
        rows.append(measure({"kind": "reference"}, loaded))
    for size in sizes:
        for w in WORK[size][:1] if args.quick else WORK[size]:
            for loaded in (False, True):
                rows.append(measure({"kind": "solve", "size": size, "work_limit": w}, loaded))
        for t in TIME[size][:1] if args.quick else TIME[size]:
            for loaded in (False, True):
                rows.append(measure({"kind": "solve", "size": size, "time_limit": t}, loaded))
    for t in (0.5, 1.0, 2.0):
        for loaded in (False, True):
            spec = {"kind": "solve", "size": "sample", "max_moves": 140, "time_limit": t}
            rows.append(measure(spec, loaded))
    if not args.quick:
        for loaded in (False, True):
            rows.append(measure({"kind": "frontier", "size": "sample", "time_limit": 35.0}, loaded))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(render(rows))
    print(render(rows))


def render(rows: list[dict[str, Any]]) -> str:
    """The results as Markdown tables."""
    ref = {r["loaded"]: r["seconds_per_dtime"] for r in rows if r["spec"]["kind"] == "reference"}
    lines = [
        "# Time and work limits (benchmarks/bench_limits.py)",
        "",
        f"Reference peer (CP-SAT, sample imbalance stage, 1 worker, deterministic limit 1): "
        f"{ref.get(False, float('nan')):.2f} s per deterministic second idle, "
        f"{ref.get(True, float('nan')):.2f} s loaded (two busy processes on the two cores).",
        "",
        "## Work limits: seconds per work unit, and the same plan under load",
        "",
        "| instance | work limit | work used | idle s | s/unit | ÷ reference | loaded s | "
        "same plan idle vs loaded | stopped by |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    solves = [r for r in rows if r["spec"]["kind"] == "solve" and "max_moves" not in r["spec"]]
    for r in solves:
        spec = r["spec"]
        if r["loaded"] or spec.get("work_limit") is None:
            continue
        twin = next(x for x in solves if x["loaded"] and x["spec"] == spec)
        per_unit = r["seconds"] / spec["work_limit"]
        lines.append(
            f"| {spec['size']} | {spec['work_limit']:g} | {r['work_used']:.2f} | "
            f"{r['seconds']:.1f} | {per_unit:.2f} | {per_unit / ref[False]:.2f} | "
            f"{twin['seconds']:.1f} | {'yes' if r.get('hash') == twin.get('hash') else 'NO'} | "
            f"{r['stopped_by']} |"
        )
    lines += [
        "",
        "## Time limits: seconds beyond the limit (idle / loaded)",
        "",
        "| instance | time limit | idle over | loaded over | plan (idle, loaded) | "
        "never worse than nobody moving | moves idle | D idle (h) |",
        "|---|---:|---:|---:|---|---|---:|---:|",
    ]
    timed = [r for r in rows if r["spec"]["kind"] == "solve" and r["spec"].get("time_limit")]
    for r in timed:
        if r["loaded"]:
            continue
        twin = next(x for x in timed if x["loaded"] and x["spec"] == r["spec"])
        spec = r["spec"]
        name = spec["size"] + (f", max_moves {spec['max_moves']}" if "max_moves" in spec else "")
        lines.append(
            f"| {name} | {spec['time_limit']:g} | {r['over']:+.2f} | {twin['over']:+.2f} | "
            f"{r['status']}, {twin['status']} | "
            f"{r.get('not_worse_than_nobody_moving')} / {twin.get('not_worse_than_nobody_moving')}"
            f" | {r.get('moves')} | {r.get('imbalance_hours')} |"
        )
    fronts = [r for r in rows if r["spec"]["kind"] == "frontier"]
    if fronts:
        lines += [
            "",
            "## The notebook's frontier (sample, 5 points, 35 s)",
            "",
            "| machine | seconds | over | points | every point has a plan | moves |",
            "|---|---:|---:|---:|---|---|",
        ]
        for r in fronts:
            lines.append(
                f"| {'loaded' if r['loaded'] else 'idle'} | {r['seconds']:.1f} | "
                f"{r['over']:+.2f} | {r['points']} | {r['all_with_plan']} | {r['moves']} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
