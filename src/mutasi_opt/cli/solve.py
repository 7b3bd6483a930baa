"""``mutasi-opt solve DIR --out OUT``: solve a data folder and write the plan files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ..model import Problem
from ..plan import Plan

__all__ = ["add_solve_options", "progress_printer", "register", "run", "solve_and_report"]


def add_solve_options(
    parser: argparse.ArgumentParser, *, default_time_limit: float | None = None
) -> None:
    """Options shared by ``solve`` and ``demo``."""
    parser.add_argument("--max-moves", type=int, default=None, help="override policy max_moves")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=default_time_limit,
        help="seconds for the whole solve"
        + (f" (default {default_time_limit:g})" if default_time_limit else " (default: none)"),
    )
    parser.add_argument("--seed", type=int, default=0, help="solver random seed (default 0)")
    parser.add_argument(
        "--workers", type=int, default=None, help="solver threads (default: CPU count, ≤ 8)"
    )
    parser.add_argument("--json", action="store_true", help="print summary.json to stdout")


def register(sub: Any) -> None:
    """Add the ``solve`` subcommand."""
    p = sub.add_parser(
        "solve",
        help="plan transfers for a data folder",
        description="Solve a data folder and write assignment.csv, moves.csv, units.csv, "
        "summary.json. Exit codes: 0 plan found, 1 invalid input, 2 infeasible, "
        "3 no plan within the time limit.",
    )
    p.add_argument("folder", type=Path, help="data folder (employees, units, demand, ...)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--policy", type=Path, default=None, help="policy.toml overriding the folder's")
    add_solve_options(p)
    p.set_defaults(func=run)


class _Progress:
    """Prints stage, best value and bound on stderr, at most twice a second."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, stage: str, value: float, bound: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        sys.stderr.write(f"\r  {stage:<10} best {value:>16,.0f}  bound {bound:>16,.0f}   ")
        sys.stderr.flush()


def progress_printer() -> _Progress | None:
    """A progress callback when stderr is a terminal, else None."""
    return _Progress() if sys.stderr.isatty() else None


def solve_and_report(
    problem: Problem, args: argparse.Namespace, out: Path | None
) -> tuple[Plan, int]:
    """Solve, write files (when ``out``), print the summary; return the plan and exit code."""
    from .. import solve, write_plan

    if args.max_moves is not None:
        problem = problem.replace(policy=problem.policy.replace(max_moves=args.max_moves))
    progress = progress_printer()
    plan = solve(
        problem,
        time_limit=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        progress=progress,
    )
    if progress is not None:
        sys.stderr.write("\r" + " " * 70 + "\r")
    if out is not None:
        write_plan(plan, out)
    if args.json:
        json.dump(plan.summary(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(plan)
        if out is not None and plan.has_solution:
            print(f"wrote {out}/assignment.csv, moves.csv, units.csv, summary.json")
    return plan, plan.status.exit_code


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt solve``."""
    from ..io import read_folder, read_policy

    problem = read_folder(args.folder)
    if args.policy is not None:
        problem = problem.replace(policy=read_policy(args.policy))
    return solve_and_report(problem, args, args.out)[1]
