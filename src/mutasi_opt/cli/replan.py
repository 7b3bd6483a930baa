"""``mutasi-opt replan DIR --draft PLAN_DIR --responses FILE --out OUT``: revise a draft."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import add_params_options, out_folder, params_of

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``replan`` subcommand."""
    p = sub.add_parser(
        "replan",
        help="revise a draft plan after the employees' responses",
        description="Revise a draft after a consultation round: accepted decisions are "
        'pinned, objections refused (or locked, policy objection = "lock"), new '
        "preferences added, and the plan changes as few of the draft's other decisions as "
        "it can (D and B within policy draft_tolerance). Writes the plan files, changes.csv "
        "(who changed and why), outcomes.csv (what became of each response, and why), "
        "replan.json and problem/ (the revised data folder: the "
        "input of the next round). Exit codes as for solve.",
    )
    p.add_argument("folder", type=Path, help="data folder (or the problem/ of a round before)")
    p.add_argument(
        "--draft", type=Path, required=True, help="the draft: a plan folder or its assignment.csv"
    )
    p.add_argument(
        "--responses",
        type=Path,
        required=True,
        help="responses.csv (nip, response = accept/object/prefer, units, reason)",
    )
    p.add_argument("--out", type=out_folder, required=True, help="output folder")
    p.add_argument("--policy", type=Path, default=None, help="policy.toml overriding the folder's")
    add_params_options(p, default_time_limit=None, what="the revision")
    p.add_argument("--json", action="store_true", help="print replan.json to stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt replan``."""
    from ..io import read_folder, read_policy
    from ..io.assignments import read_assignment
    from ..io.consultation import write_replan
    from ..io.responses import read_responses
    from ..planning.replan import replan
    from ..text.explain import plan_text
    from .consult import assignment_file

    problem = read_folder(args.folder)
    if args.policy is not None:
        problem = problem.replace(policy=read_policy(args.policy))
    draft = read_assignment(assignment_file(args.draft), problem)
    responses, rows = read_responses(args.responses, problem, draft)
    result = replan(problem, draft, responses, params_of(args), file=args.responses.name, rows=rows)
    write_replan(result, args.out)
    summary = result.summary()
    if args.json:
        json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(plan_text(result.plan))
        if result.plan.has_solution:
            print(
                f"responses {summary['responses']}: {summary['accepted']} accepted "
                f"({summary['accepted_kept']} kept), {summary['objected']} objected, "
                f"{summary['preferred']} asked for units ({summary['preferences_granted']} "
                f"granted)"
            )
            print(
                f"changes from the draft: {summary['changes']} ({summary['changes_forced']} by "
                f"objections, {summary['changes_other']} others; bound "
                f"{summary['changes_bound_other']}, {summary['changes_status']}); "
                f"{summary['changes_asked']} of those who asked for units placed elsewhere "
                "than the draft"
            )
            print(
                f"wrote {args.out}/ (plan files, changes.csv, outcomes.csv, replan.json, problem/)"
            )
    return result.plan.status.exit_code
