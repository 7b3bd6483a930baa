"""``mutasi-opt validate DIR``: check a data folder and show its current state.

Reads the folder (every problem in it is reported at once, exit 1), then
prints the current-state analysis: totals, imbalance ``D``, balance cost
``B``, the most over- and under-loaded units by EJ, competency shortfalls
and who may be moved.  ``--json`` prints the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ..domain.errors import InputError, InputIssue
from ..planning.state import current_state
from ..results.state import StateReport
from . import EXIT_INPUT, EXIT_OK, print_input_error

__all__ = ["print_state", "register", "run"]


def register(sub: Any) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate",
        help="check a data folder and show the current state",
        description="Check a data folder (employees, units, demand, requirements, policy) and "
        "show the current state: imbalance D, balance cost B, EJ and band per unit, "
        "competency shortfalls and who may be moved. Exit codes: 0 valid, 1 invalid input "
        "(every problem is listed with file, row and column).",
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="data folder")
    add_state_options(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def add_state_options(parser: argparse.ArgumentParser) -> None:
    """Options of the current-state report (shared by ``validate`` and ``demo``)."""
    parser.add_argument(
        "--top", type=int, default=10, help="units listed as most over/under-loaded (default 10)"
    )
    parser.add_argument(
        "--all", action="store_true", help="also print every (unit, role) row: EJ, band, ..."
    )


def print_state(
    report: StateReport,
    *,
    show_all: bool = False,
    as_json: bool = False,
    warnings: list[InputIssue] | None = None,
) -> None:
    """Print ``report`` as text (or JSON, with ``warnings`` when given) to stdout."""
    if as_json:
        data = report.to_dict()
        if warnings is not None:
            data["warnings"] = [w.to_dict() for w in warnings]
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
        return
    print(report.text())
    if show_all:
        print("\nEvery unit and role (jabatan)")
        print(report.unit_roles_text())


def print_warnings(warnings: list[InputIssue], stream: TextIO) -> None:
    """The warnings of reading (columns and sheets not read, cells cleaned)."""
    if warnings:
        n = len(warnings)
        stream.write(f"{n} warning{'s' if n != 1 else ''}:\n")
        for issue in warnings:
            stream.write(f"  - {issue}\n")


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt validate``.  The warnings of reading the folder (columns
    and sheets that are not read, ...) are listed after ``valid`` (stdout), or
    before the issues of an invalid folder (stderr); with ``--json`` they are the
    ``warnings`` of the JSON, valid or not."""
    from ..io import read_folder

    warnings: list[InputIssue] = []
    try:
        problem = read_folder(args.folder, warnings=warnings)
    except InputError as err:
        if not args.json:
            print_warnings(warnings, sys.stderr)
            raise
        print_input_error(err, as_json=True, warnings=warnings)
        return EXIT_INPUT
    report = current_state(problem, top=max(0, args.top))
    if not args.json:
        print(f"{args.folder}: valid\n")
        print_warnings(warnings, sys.stdout)
        if warnings:
            print()
    print_state(report, show_all=args.all, as_json=args.json, warnings=warnings)
    return EXIT_OK
