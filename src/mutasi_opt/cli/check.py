"""``mutasi-opt check DIR ASSIGNMENT.csv``: audit any plan against the rules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser(
        "check",
        help="check an assignment file against the rules",
        description="Check a (solver-made, hand-made or historical) assignment against the "
        "problem's rules. The file needs columns nip and unit_after (or unit). "
        "Exit 0 when no rule is broken, 2 when some are, 1 on invalid input.",
    )
    p.add_argument("folder", type=Path, help="data folder")
    p.add_argument("assignment", type=Path, help="assignment CSV/XLSX (nip, unit_after)")
    p.add_argument("--json", action="store_true", help="print violations as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt check``."""
    from .. import check_plan, metrics
    from ..io import read_folder
    from ..io.assignments import read_assignment_pairs

    problem = read_folder(args.folder)
    pairs = [(nip, unit) for _, nip, unit in read_assignment_pairs(args.assignment)]
    violations = check_plan(problem, pairs)
    if args.json:
        json.dump([v.to_dict() for v in violations], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif violations:
        print(f"{len(violations)} rule(s) broken:")
        for v in violations:
            print(f"  - [{v.kind}] {v.message}")
    else:
        mapping = dict(pairs)
        m = metrics.evaluate(problem, mapping)
        b = metrics.evaluate(problem)
        print("no rule is broken")
        print(
            f"  moves {m.moves}; imbalance D {b.imbalance_hours:,.1f} → {m.imbalance_hours:,.1f} "
            f"hours; balance cost B {b.balance_cost:,.1f} → {m.balance_cost:,.1f}; "
            f"shortfall {b.shortfall} → {m.shortfall}"
        )
    return 0 if not violations else 2
