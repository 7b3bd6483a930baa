"""``mutasi-opt consult DIR --plan PLAN_DIR --out OUT``: the notices of a draft plan."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..domain.errors import UsageError
from . import out_folder

__all__ = ["assignment_file", "register", "run"]


def register(sub: Any) -> None:
    """Add the ``consult`` subcommand."""
    p = sub.add_parser(
        "consult",
        help="write the consultation notices of a draft plan",
        description="Write one notice per employee the draft moves (in Bahasa Indonesia: "
        "where, why, training offered, how to respond) as notices.csv and notices.xlsx, "
        "with --docx also one printable letter per person (letters/<nip>.docx, the "
        "notice and a response slip), and a responses.csv template for the answers "
        "(accept/terima, object/keberatan, prefer/pilih), the input of `mutasi-opt replan`.",
    )
    p.add_argument("folder", type=Path, help="data folder")
    p.add_argument(
        "--plan", type=Path, required=True, help="the draft: a plan folder or its assignment.csv"
    )
    p.add_argument("--out", type=out_folder, required=True, help="output folder")
    p.add_argument(
        "--askers",
        action="store_true",
        help="also a notice for each employee who asked to move (preferred_units) and stays",
    )
    p.add_argument("--office", default="BKPSDM", help="who receives the responses")
    p.add_argument("--deadline", default="", help='respond by (text, e.g. "15 Juli 2026")')
    p.add_argument("--no-xlsx", action="store_true", help="no notices.xlsx (CSV only)")
    p.add_argument(
        "--docx",
        action="store_true",
        help="also letters/<nip>.docx, one printable letter with a response slip per "
        'person (needs the docx extra: pip install "mutasi-opt[docx]")',
    )
    p.set_defaults(func=run)


def assignment_file(path: Path) -> Path:
    """A plan folder's ``assignment.csv``, or the file itself."""
    return path / "assignment.csv" if path.is_dir() else path


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt consult``."""
    from ..io import read_folder
    from ..io.assignments import read_assignment
    from ..io.consultation import write_notices
    from ..planning.consultation import notice_records
    from ..results.plan import Plan

    problem = read_folder(args.folder)
    draft = read_assignment(assignment_file(args.plan), problem)
    plan = Plan.from_solution(problem, draft, stages=(), solve_seconds=0.0)
    records = notice_records(plan, askers=args.askers, office=args.office, deadline=args.deadline)
    try:
        written = write_notices(records, args.out, xlsx=not args.no_xlsx, docx=args.docx)
    except ImportError as exc:  # openpyxl or python-docx missing: the install hint
        raise UsageError(str(exc)) from None
    movers = sum(r["moved"] for r in records)
    print(f"{len(records)} notices ({movers} moves, {len(records) - movers} who asked and stay)")
    files = [str(p) for p in written if p.suffix != ".docx"]
    letters = [p for p in written if p.suffix == ".docx"]
    if letters:
        files.append(f"{len(letters)} letters in {letters[0].parent}/")
    print("wrote " + ", ".join(files))
    return 0
