"""``mutasi-opt frontier DIR``: how many moves buy how much balance, and the suggested budget."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..domain.errors import UsageError
from ..domain.problem import Problem
from ..text.i18n import LANGS, label
from . import add_params_options, out_folder, params_of

__all__ = [
    "add_folder_argument",
    "add_lang_argument",
    "load_problem",
    "register",
    "run",
]


def add_folder_argument(p: argparse.ArgumentParser) -> None:
    """``DIR`` or ``--sample`` (the embedded synthetic sample)."""
    p.add_argument(
        "folder", type=Path, nargs="?", default=None, help="data folder (employees, units, ...)"
    )
    p.add_argument(
        "--sample", action="store_true", help="use the embedded synthetic sample instead of DIR"
    )


def add_lang_argument(p: argparse.ArgumentParser) -> None:
    """``--lang id|en``: the language of the printed summary (checked before solving)."""
    p.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help="language of the printed summary: id = Bahasa Indonesia, en = English (default); "
        "--json and the files written stay in English",
    )


def load_problem(args: argparse.Namespace) -> Problem:
    """The problem of ``DIR`` or of the embedded sample (:class:`UsageError` when
    neither or both are given)."""
    if (args.folder is None) == (not args.sample):
        raise UsageError("give a data folder DIR or --sample (the embedded sample), not both")
    if args.sample:
        from ..sample import load_sample

        return load_sample()
    from ..io import read_folder

    return read_folder(args.folder)


def register(sub: Any) -> None:
    """Add the ``frontier`` subcommand."""
    p = sub.add_parser(
        "frontier",
        help="moves-versus-balance curve and a suggested move budget",
        description="Solve the folder under a range of move budgets, from 0 to the moves of "
        "the unconstrained optimum, and print shortfall, imbalance D, balance cost B and "
        "preference cost per budget with the suggested budget at the knee. Exit codes: 0 "
        "curve computed, 1 invalid input, 2 infeasible, 3 no plan within the time or work limit.",
    )
    add_folder_argument(p)
    p.add_argument(
        "--budgets",
        type=int,
        nargs="+",
        default=None,
        metavar="K",
        help="move budgets to solve (default: chosen adaptively)",
    )
    p.add_argument(
        "--points", type=int, default=9, help="budgets of the adaptive curve (default 9)"
    )
    add_params_options(p, default_time_limit=180.0, what="the whole curve")
    p.add_argument(
        "--out", type=out_folder, default=None, help="write frontier.csv and frontier.json"
    )
    p.add_argument("--json", action="store_true", help="print frontier.json to stdout")
    add_lang_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt frontier``."""
    from ..planning.frontier import frontier

    params = params_of(args)
    if args.points < 2:
        raise UsageError(f"--points must be 2 or more (got {args.points})")
    if args.budgets is not None and min(args.budgets) < 0:
        raise UsageError(f"--budgets must be 0 or more (got {min(args.budgets)})")
    problem = load_problem(args)
    curve = frontier(
        problem,
        args.budgets,
        params,
        points=args.points,
    )
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        curve.table.to_csv(args.out / "frontier.csv", index=False)
        (args.out / "frontier.json").write_text(
            json.dumps(curve.summary(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if args.json:
        json.dump(curve.summary(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(curve.text(args.lang))
        if args.out is not None:
            files = f"{args.out}/frontier.csv, frontier.json"
            print(label("text.wrote", args.lang).format(files=files))
    return 0 if curve.infeasible is None else curve.infeasible.status.exit_code
