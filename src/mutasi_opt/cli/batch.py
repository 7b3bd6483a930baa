"""``mutasi-opt batch ROOT --out OUT``: solve every region folder of ROOT, one summary table."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from ..domain.errors import UsageError
from . import (
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_NO_PLAN,
    EXIT_OK,
    add_params_options,
    out_folder,
    params_of,
    unfiltered,
    whole_number,
)

__all__ = ["EXIT_CRASHED", "exit_code", "region_folders", "register", "run"]

#: Exit code when a region's worker crashed on every attempt (and nothing worse happened).
EXIT_CRASHED = 4

#: ``BatchError.kind`` → exit code; with several kinds the smallest code wins.
_KIND_CODES = {
    "invalid": EXIT_INPUT,
    "infeasible": EXIT_INFEASIBLE,
    "time_limit": EXIT_NO_PLAN,
    "crashed": EXIT_CRASHED,
}

#: Files a region's output folder may hold from an earlier run (removed before writing).
_REGION_FILES = (
    "assignment.csv",
    "moves.csv",
    "units.csv",
    "training.csv",
    "summary.json",
    "error.json",
)


def register(sub: Any) -> None:
    """Add the ``batch`` subcommand."""
    p = sub.add_parser(
        "batch",
        help="solve every region folder of ROOT (locally or on a Dask cluster)",
        description="Solve each subfolder of ROOT (one data folder per region) and write "
        "OUT/<region>/ (the plan files, or error.json saying why there is no plan) and "
        "OUT/summary.csv (one row per region). One bad region never stops the others. "
        "Exit codes: 0 every region has a plan; otherwise the smallest that applies: "
        "1 a region's input is invalid, 2 a region is infeasible, 3 a region found no plan "
        "within the time or work limit, 4 a region's worker crashed on every attempt.",
    )
    p.add_argument("root", type=Path, help="folder holding one data folder per region")
    p.add_argument("--out", type=out_folder, required=True, help="output folder")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help='solve on this Dask scheduler (e.g. tcp://10.0.0.5:8786; pip install "mutasi-opt'
        '[dask]"); the workers must see ROOT at the same path',
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="local worker processes (default: the number of CPUs); not with --scheduler",
    )
    p.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="solver threads per region (default 1; the --params file's workers)",
    )
    add_params_options(p, default_time_limit=300.0, what="each region", workers_help=None)
    p.add_argument(
        "--retries",
        type=int,
        default=2,
        help="restarts of a region whose worker process died (default 2)",
    )
    p.set_defaults(func=run)


_positive_int = whole_number(1)


def region_folders(root: Path, out: Path | None = None) -> list[Path]:
    """The region folders of ``root`` (sorted by name; hidden ones and ``out`` skipped)."""
    if not root.exists():
        raise FileNotFoundError(2, "no such folder", str(root))
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder; give the folder holding one folder per region")
    skip = out.resolve() if out is not None else None
    found = sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.resolve() != skip
    )
    if not found:
        raise UsageError(
            f"{root} holds no region folders; put each region's data folder "
            "(employees.csv, units.csv, ...) in its own subfolder"
        )
    return found


def exit_code(kinds: Counter[str]) -> int:
    """0 when no region failed, else the smallest code among the failures' kinds."""
    codes = [_KIND_CODES[k] for k in kinds if kinds[k]]
    return min(codes) if codes else EXIT_OK


class _Bar:
    """Progress on stderr: a bar redrawn in place on a terminal, else one line per region."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.counts: Counter[str] = Counter()
        self.t0 = time.monotonic()

    def __call__(self, done: int, total: int, name: str, result: Any) -> None:
        from ..batch import BatchError

        status = result.kind if isinstance(result, BatchError) else result.status.value
        self.counts[status] += 1
        if not self.tty:
            self.stream.write(f"[{done}/{total}] {name}: {status}\n")
            self.stream.flush()
            return
        width = 30
        filled = round(width * done / total)
        elapsed = time.monotonic() - self.t0
        eta = elapsed / done * (total - done)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {counts}  ETA {eta:.0f} s"
        raw = unfiltered(self.stream)  # the line holds counts only, no text from the files
        raw.write("\r" + line[:110].ljust(110))
        if done == total:
            raw.write("\n")
        raw.flush()


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt batch``."""
    from ..batch import SUMMARY_COLUMNS, BatchError, solve_many, summary_record
    from ..io.plans import write_plan

    if args.scheduler is not None and args.workers is not None:
        raise UsageError(
            "--workers sets local worker processes; with --scheduler the cluster's workers "
            "are used: give one or the other"
        )
    params = params_of(args, workers="threads")
    if args.retries < 0:
        raise UsageError(f"--retries must be ≥ 0, got {args.retries}")
    regions = region_folders(args.root, args.out)
    client = _connect(args.scheduler) if args.scheduler is not None else None
    args.out.mkdir(parents=True, exist_ok=True)
    kinds: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    try:
        with open(args.out / "summary.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=SUMMARY_COLUMNS)
            writer.writeheader()
            results = solve_many(
                regions,
                params,
                client=client,
                max_workers=args.workers,
                retries=args.retries,
                progress=_Bar(sys.stderr),
            )
            for region, result in zip(regions, results, strict=True):
                folder = args.out / region.name
                _clear(folder)
                if isinstance(result, BatchError):
                    kinds[result.kind] += 1
                    if result.plan is not None:
                        write_plan(result.plan, folder)
                    _write_error(result, folder)
                else:
                    write_plan(result, folder)
                row = summary_record(result, region.name)
                statuses[row["status"]] += 1
                writer.writerow(row)
                fh.flush()
    finally:
        if client is not None:
            client.close()
    counts = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    print(f"{len(regions)} regions: {counts}")
    print(f"wrote {args.out}/<region>/ and {args.out / 'summary.csv'}")
    return exit_code(kinds)


def _connect(address: str) -> Any:
    from ..batch import DASK_HINT

    try:
        from distributed import Client
    except ImportError:
        raise UsageError(DASK_HINT) from None
    try:
        return Client(address, timeout="20s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _clear(folder: Path) -> None:
    for name in _REGION_FILES:
        (folder / name).unlink(missing_ok=True)


def _write_error(err: Any, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "error.json", "w", encoding="utf-8") as fh:
        json.dump(err.to_dict(), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
