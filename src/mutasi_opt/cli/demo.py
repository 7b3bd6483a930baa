"""``mutasi-opt demo``: the embedded synthetic sample, its current state and a plan.

The sample (:func:`mutasi_opt.sample.load_sample`) is a synthetic Kota
Binjai-like city of about 5,000 ASN.  ``run`` shows its current state
(:func:`show_state`), then solves it (:func:`solve_step`) within a time limit
(60 s by default) and prints the before/after table, each stage's value,
bound and gap, and the first moves with their reasons.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..domain.problem import Problem
from ..planning.state import current_state
from . import EXIT_OK, describe_limits, limits_of, out_folder
from .solve import add_solve_options, solve_and_report
from .validate import add_state_options, print_state

__all__ = ["SYNTHETIC_NOTE", "register", "run", "show_state", "solve_step", "surge_step"]

#: First line of the demo output.
SYNTHETIC_NOTE = (
    "Demo on the embedded SYNTHETIC sample: a Kota Binjai-like city; names, NIPs, head counts "
    "and workloads are invented (only the OPD and kecamatan names are real)."
)


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    p = sub.add_parser(
        "demo",
        help="show the embedded synthetic sample (Kota Binjai-like, ~5,000 ASN)",
        description="Run the current-state analysis on the embedded synthetic sample. "
        "The data are invented; see mutasi_opt/data/sample/README.md.",
    )
    add_state_options(p)
    add_solve_options(p, default_time_limit=60.0)
    p.add_argument("--out", type=out_folder, default=None, help="also write the plan files here")
    p.add_argument("--no-solve", action="store_true", help="only show the current state")
    p.add_argument("--moves", type=int, default=10, help="moves to list with reasons (default 10)")
    p.add_argument(
        "--surge",
        action="store_true",
        help="plan the sample's vaccination campaign (temporary secondments) instead",
    )
    p.add_argument(
        "--plan-date",
        default=None,
        metavar="DATE",
        help="the date the round is decreed on, from which retirements (BUP) are counted "
        "(default: the sample's 2025-01-01; 'none': no retirement rules)",
    )
    p.set_defaults(func=run)


def _with_plan_date(problem: Problem, text: str | None) -> Problem:
    """The sample with the demo's plan date (the sample's policy has none)."""
    from ..domain.errors import InputError, InputIssue
    from ..domain.values import parse_date
    from ..sample import SAMPLE_PLAN_DATE

    if text is not None and text.strip().lower() == "none":
        return problem
    try:
        day = SAMPLE_PLAN_DATE if text is None else parse_date(text)
    except ValueError as exc:
        raise InputError([InputIssue("--plan-date", None, None, text, str(exc))]) from None
    dated: Problem = problem.replace(policy=problem.policy.replace(plan_date=day))
    return dated


def show_state(problem: Problem, args: argparse.Namespace) -> None:
    """Print the current-state report of ``problem``."""
    report = current_state(problem, top=max(0, getattr(args, "top", 10)))
    print_state(report, show_all=bool(getattr(args, "all", False)))


def solve_step(problem: Problem, args: argparse.Namespace) -> int:
    """Solve the sample, print the plan and the first moves; return the exit code."""
    if getattr(args, "no_solve", False):
        return EXIT_OK
    print()
    limits = describe_limits(*limits_of(args))
    print(f"Solving ({limits}; status and gaps are reported honestly)...")
    plan, code = solve_and_report(problem, args, args.out)
    if plan is not None and plan.has_solution and not args.json:
        records = plan.move_records()
        shown = records[: max(0, args.moves)]
        if shown:
            print()
            print(f"First {len(shown)} of {len(records)} moves, with their reasons:")
            for row in shown:
                print(
                    f"  - {row['name'] or row['nip']}: {row['unit_before']} → {row['unit_after']}"
                )
                print(f"      {row['reason']}")
    return code


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt demo``."""
    from ..sample import load_sample

    problem = _with_plan_date(load_sample(), getattr(args, "plan_date", None))
    if args.surge:
        return surge_step(problem, args)
    if not args.json:
        print(SYNTHETIC_NOTE)
        if problem.policy.plan_date is not None:
            print(
                f"Plan date {problem.policy.plan_date} (the demo's; --plan-date changes it): "
                "retirements are counted from it."
            )
        print()
        show_state(problem, args)
    return solve_step(problem, args)


def surge_step(problem: Problem, args: argparse.Namespace) -> int:
    """Plan the sample's surges (an invented vaccination campaign) and print the plan."""
    from ..sample import load_sample_surges
    from .surge import surge_and_report

    surges = load_sample_surges()
    if not args.json:
        print(SYNTHETIC_NOTE)
        print()
        print("Surges (surges.csv of the sample):")
        for s in surges:
            need = f"{s.extra_fte:g} FTE"
            if s.role:
                need += f" {s.role}"
            if s.competency:
                need += f" with {s.competency} ≥ {s.min_level}"
            print(f"  - {s.surge}: {need} at {s.unit}, {s.start}..{s.end}")
        print()
        print(f"Planning secondments ({describe_limits(*limits_of(args))})...")
    return surge_and_report(problem, surges, args, args.out)
