"""``mutasi-opt siasn DIR --out OUT``: read a SIASN staff export, write our data folder.

``DIR`` holds the export as ``siasn.csv`` or ``siasn.xlsx`` (SIASN's data-utama
field names, title rows, Indonesian dates, ...) next to ``units``, ``demand``
and the other tables; ``OUT`` gets the same problem as a data folder of this
library (``employees.csv`` with the canonical columns), which every other
command reads.  Every issue of the export is listed with file, row and SIASN
column (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..domain.errors import InputError, InputIssue
from ..planning.state import current_state
from . import EXIT_OK
from .validate import add_state_options, print_state, print_warnings

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``siasn`` subcommand."""
    p = sub.add_parser(
        "siasn",
        help="read a SIASN staff export and write it as a data folder",
        description="Read a folder whose staff list is a SIASN export (siasn.csv or "
        "siasn.xlsx, with SIASN's field names: nipBaru, nama, tglLahir, unorId or unorNama, "
        "jabatanNama, tmtJabatan, golRuangAkhir, jenisPegawaiNama, kedudukanPnsNama, "
        "bupPensiun, ...) and write it as a data folder of this library; print its current "
        "state. Exit codes: 0 written, 1 invalid input (every issue with file, row and column).",
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="folder holding siasn.csv/.xlsx")
    p.add_argument("--out", type=Path, required=True, help="data folder to write (must not exist)")
    p.add_argument(
        "--reference-date",
        metavar="DATE",
        help="date months in the unit are counted to (from tmtJabatan); default: plan_date "
        "of policy.toml",
    )
    add_state_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt siasn``."""
    from ..io import write_folder
    from ..io.siasn import read_siasn

    if args.out.exists():
        raise InputError(
            [InputIssue(str(args.out), None, None, None, "exists; give a new folder for --out")]
        )
    warnings: list[InputIssue] = []
    try:
        problem = read_siasn(args.folder, reference_date=args.reference_date, warnings=warnings)
    except InputError:
        print_warnings(warnings, sys.stderr)
        raise
    write_folder(problem, args.out)
    print(f"{args.folder}: valid; written to {args.out} ({len(problem.employees):,} employees)\n")
    print_warnings(warnings, sys.stdout)
    if warnings:
        print()
    print_state(current_state(problem, top=max(0, args.top)), show_all=args.all)
    return EXIT_OK
