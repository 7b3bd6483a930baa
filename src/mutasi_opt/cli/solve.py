"""``mutasi-opt solve DIR --out OUT``: solve a data folder and write the plan files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ..domain.problem import Problem
from ..results.plan import Plan
from ..text.i18n import LANGS, label
from . import EXIT_INPUT, add_params_options, count, out_folder, params_of, unfiltered

__all__ = ["add_solve_options", "progress_printer", "register", "run", "solve_and_report"]


def add_solve_options(
    parser: argparse.ArgumentParser, *, default_time_limit: float | None = None
) -> None:
    """Options shared by ``solve`` and ``demo``."""
    parser.add_argument(
        "--max-moves", type=count, default=None, help="override policy max_moves (0 or more)"
    )
    add_params_options(
        parser,
        default_time_limit=default_time_limit,
        what="the whole solve",
        workers_help="solver threads (default: CPU count, ≤ 8)",
    )
    parser.add_argument("--json", action="store_true", help="print summary.json to stdout")
    parser.add_argument(
        "--report",
        type=report_path,
        default=None,
        metavar="PATH.xlsx",
        help='also write the Excel report there (needs pip install "mutasi-opt[excel]")',
    )
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help="language of the printed summary (default en) and of the report (default id): "
        "id = Bahasa Indonesia, en = English",
    )


def report_path(text: str) -> Path:
    """``--report`` value: a ``.xlsx`` path, and openpyxl installed (checked before solving)."""
    from ..views.report import require_openpyxl

    path = Path(text)
    if path.suffix.lower() != ".xlsx":
        raise argparse.ArgumentTypeError(f"the report must be a .xlsx file, got {text!r}")
    try:
        require_openpyxl()
    except ImportError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def register(sub: Any) -> None:
    """Add the ``solve`` subcommand."""
    p = sub.add_parser(
        "solve",
        help="plan transfers for a data folder",
        description="Solve a data folder and write assignment.csv, moves.csv, units.csv, "
        "training.csv, summary.json (and with --report an Excel report). Exit codes: "
        "0 plan found, 1 invalid input, 2 infeasible, 3 no plan meeting the rules within the "
        "time or work limit.",
    )
    p.add_argument("folder", type=Path, help="data folder (employees, units, demand, ...)")
    p.add_argument("--out", type=out_folder, required=True, help="output folder")
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
        stream = unfiltered(sys.stderr)
        stream.write(f"\r  {stage:<10} best {value:>16,.0f}  bound {bound:>16,.0f}   ")
        stream.flush()


def progress_printer() -> _Progress | None:
    """A progress callback when stderr is a terminal, else None."""
    return _Progress() if sys.stderr.isatty() else None


def solve_and_report(
    problem: Problem, args: argparse.Namespace, out: Path | None
) -> tuple[Plan, int]:
    """Solve, write files (when ``out``) and the report (``--report``), print the summary;
    return the plan and exit code."""
    from ..io.plans import write_plan
    from ..planning.solve import solve
    from ..text.explain import plan_text

    if args.max_moves is not None:
        problem = problem.replace(policy=problem.policy.replace(max_moves=args.max_moves))
    progress = progress_printer()
    params = params_of(args)
    plan = solve(problem, params, progress=progress)
    if progress is not None:
        unfiltered(sys.stderr).write("\r" + " " * 70 + "\r")
    if out is not None:
        write_plan(plan, out)
    lang = args.lang or "en"
    if args.json:
        json.dump(plan.summary(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(plan_text(plan, lang=lang))
        if out is not None and plan.has_solution:
            files = f"{out}/assignment.csv, moves.csv, units.csv, training.csv, summary.json"
            print(label("text.wrote", lang).format(files=files))
    if args.report is not None:
        if not _write_report(plan, args.report, args.lang or "id"):
            return plan, EXIT_INPUT
        if not args.json:
            print(label("text.wrote", lang).format(files=args.report))
    return plan, plan.status.exit_code


def _write_report(plan: Plan, path: Path, lang: str) -> bool:
    """Write the Excel report; False (with a message on stderr) when it cannot be written."""
    from ..views.report import write_report

    try:
        write_report(plan, path, lang=lang)
    except OSError as exc:
        sys.stderr.write(f"error: cannot write the report {path}: {exc.strerror or exc}\n")
        return False
    return True


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt solve``."""
    from ..io import read_folder, read_policy

    problem = read_folder(args.folder)
    if args.policy is not None:
        problem = problem.replace(policy=read_policy(args.policy))
    return solve_and_report(problem, args, args.out)[1]
