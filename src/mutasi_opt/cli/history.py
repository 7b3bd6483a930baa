"""``mutasi-opt history DIR HISTORY.csv``: how past mutasi did, next to the optimiser."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from ..domain.errors import UsageError
from ..text.i18n import label
from . import add_params_options, out_folder, params_of
from .frontier import add_lang_argument, load_problem

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``history`` subcommand."""
    p = sub.add_parser(
        "history",
        help="replay past mutasi and compare them with the optimiser",
        description="Replay the permanent moves of HISTORY (nip, from_unit, to_unit, date, "
        "kind) on the folder's state (the snapshot before them), list every rule they broke "
        "and every row that could not be replayed, and compare with the optimiser under the "
        "same rules: the same number of moves, and the fewest moves reaching the history's "
        "shortfall, D and B. Exit codes: 0 done, 1 invalid input.",
    )
    p.add_argument(
        "folder", type=Path, nargs="?", default=None, help="data folder (employees, units, ...)"
    )
    p.add_argument("history", type=Path, nargs="?", default=None, help="history.csv (or .xlsx)")
    p.add_argument(
        "--sample",
        action="store_true",
        help="use the embedded synthetic sample and its history instead of DIR and HISTORY",
    )
    p.add_argument(
        "--replay-only", action="store_true", help="only replay the history (no optimiser)"
    )
    add_params_options(p, default_time_limit=120.0, what="the optimiser")
    p.add_argument(
        "--out",
        type=out_folder,
        default=None,
        help="write comparison.json, exceptions.csv, skipped.csv and the optimiser's plan",
    )
    p.add_argument("--json", action="store_true", help="print comparison.json to stdout")
    add_lang_argument(p)
    p.set_defaults(func=run)


def _write_rows(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt history``."""
    from ..io.history import read_history
    from ..planning.history import compare_history, evaluate_history

    params = params_of(args)
    if args.sample:
        if args.folder is not None or args.history is not None:
            raise UsageError("give DIR and HISTORY, or --sample, not both")
        from ..sample import sample_path

        history_path = sample_path() / "history.csv"
    else:
        if args.folder is None or args.history is None:
            raise UsageError("give a data folder DIR and a HISTORY file, or --sample")
        history_path = args.history
    problem = load_problem(argparse.Namespace(folder=args.folder, sample=args.sample))
    moves = read_history(history_path)
    if args.replay_only:
        report = evaluate_history(problem, moves)
        summary: dict[str, Any] = {"history": report.summary()}
        text = report.text(args.lang)
    else:
        comparison = compare_history(problem, moves, params)
        report = comparison.history
        summary = comparison.summary()
        text = comparison.text(args.lang)
    if args.out is not None:
        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        (out / "comparison.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        _write_rows(
            out / "exceptions.csv",
            ["kind", "nip", "unit", "message"],
            [[v.kind, v.nip or "", v.unit or "", v.message] for v in report.exceptions],
        )
        _write_rows(
            out / "skipped.csv",
            ["row", "nip", "from_unit", "to_unit", "date", "reason"],
            [
                [s.move.row, s.move.nip, s.move.from_unit, s.move.to_unit, s.move.date, s.reason]
                for s in report.skipped
            ],
        )
        if not args.replay_only:
            from ..io.plans import write_plan

            write_plan(comparison.optimised, out / "optimiser")
    if args.json:
        json.dump(summary, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print(text)
        if args.out is not None:
            extra = "" if args.replay_only else ", optimiser/"
            files = f"{args.out}/comparison.json, exceptions.csv, skipped.csv{extra}"
            print(label("text.wrote", args.lang).format(files=files))
    return 0
