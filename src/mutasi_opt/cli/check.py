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
    p.add_argument(
        "--blocking-pairs",
        type=Path,
        default=None,
        metavar="OUT.csv",
        help="also list every blocking pair (justified envy by priority points) and write "
        "them there; not a rule unless policy no_justified_envy is true",
    )
    p.add_argument(
        "--service-as-of",
        default=None,
        metavar="YYYY-MM",
        help="priority points = years of service at that month, from the NIPs",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt check``."""
    from .. import check_plan, metrics
    from ..io import read_folder
    from ..io.assignments import read_assignment_pairs

    problem = read_folder(args.folder)
    if args.service_as_of is not None:
        from ..domain.values import parse_month
        from ..planning.fairness import with_service_priority

        try:
            month = parse_month(args.service_as_of)
        except ValueError as exc:
            sys.stderr.write(f"error: --service-as-of: {exc}\n")
            return 1
        problem = with_service_priority(problem, month)
    pairs = [(nip, unit) for _, nip, unit in read_assignment_pairs(args.assignment)]
    violations = check_plan(problem, pairs)
    if args.blocking_pairs is not None and not _blocking_pairs(problem, pairs, args):
        return 1
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


def _blocking_pairs(problem: Any, pairs: list[tuple[str, str]], args: argparse.Namespace) -> bool:
    """Print and write the blocking pairs; False (with a message) when they cannot be
    computed (an assignment with unknown NIPs or units: see the violations)."""
    from ..domain.columns import BLOCKING_PAIRS
    from ..io.records import records_frame
    from ..planning.fairness import blocking_pairs

    idx = problem.index
    if any(n not in idx.nip_pos or u not in idx.unit_pos for n, u in pairs):
        sys.stderr.write("error: blocking pairs need known NIPs and units; see the violations\n")
        return False
    found = blocking_pairs(problem, dict(pairs))
    records_frame(found, BLOCKING_PAIRS).to_csv(
        args.blocking_pairs, index=False, columns=list(BLOCKING_PAIRS.names)
    )
    if not args.json:
        people = len({p["nip"] for p in found})
        print(f"{len(found)} blocking pair(s), {people} employee(s) with justified envy")
        print(f"wrote {args.blocking_pairs}")
    return True
