"""``mutasi-opt surge DIR --surges FILE [--base PLAN_DIR] --out OUT``: plan secondments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..domain.problem import Problem
from . import add_params_options, out_folder, params_of

__all__ = ["register", "run", "surge_and_report"]


def register(sub: Any) -> None:
    """Add the ``surge`` subcommand."""
    p = sub.add_parser(
        "surge",
        help="plan temporary secondments for surges (e.g. a vaccination campaign)",
        description="Plan month-by-month secondments covering the surges in FILE, on the "
        "current state or on top of a permanent plan; write secondments.csv, coverage.csv, "
        "donors.csv and summary.json. Exit codes: 0 plan found (uncovered need is reported "
        "and diagnosed), 1 invalid input.",
    )
    p.add_argument("folder", type=Path, help="data folder (employees, units, demand, ...)")
    p.add_argument("--surges", type=Path, required=True, help="surges.csv (or .xlsx)")
    p.add_argument(
        "--base", type=Path, default=None, help="folder of a permanent plan (its assignment.csv)"
    )
    p.add_argument("--out", type=out_folder, required=True, help="output folder")
    add_params_options(p, default_time_limit=None, what="the plan")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout")
    p.set_defaults(func=run)


def surge_and_report(
    problem: Problem, surges: Any, args: argparse.Namespace, out: Path | None, base: Any = None
) -> int:
    """Plan, write (when ``out``), print; return the exit code."""
    from ..io.plans import write_surge_plan
    from ..planning.surges import plan_surges

    plan = plan_surges(problem, surges, base, params_of(args))
    if out is not None:
        write_surge_plan(plan, out)
    if args.json:
        json.dump(plan.summary(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(plan)
        if out is not None:
            print(f"wrote {out}/secondments.csv, coverage.csv, donors.csv, summary.json")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt surge``."""
    from ..io import read_folder
    from ..io.assignments import read_assignment
    from ..io.surges import read_surges

    problem = read_folder(args.folder)
    surges = read_surges(args.surges, problem)
    base = None
    if args.base is not None:
        base = read_assignment(Path(args.base) / "assignment.csv", problem)
    return surge_and_report(problem, surges, args, args.out, base)
