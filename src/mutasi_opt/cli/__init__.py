"""Command-line interface: ``mutasi-opt SUBCOMMAND ...``.

The CLI is thin: it parses arguments, calls the library, prints and returns an
exit code.  Exit codes: 0 plan found / success; 1 invalid input or usage;
2 infeasible; 3 no plan within the time or work limit.  A user error never shows a
traceback.

Each subcommand lives in its own module of this package and exposes
``register(subparsers) -> None``; the module sets ``func`` on its parser via
``set_defaults(func=run)`` where ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ..domain.errors import InputError, InputIssue, UsageError

if TYPE_CHECKING:
    from ..domain.params import SolveParams

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_INFEASIBLE = 2
EXIT_NO_PLAN = 3

#: Subcommand modules, in the order they appear in ``--help``.
SUBCOMMANDS = (
    "demo",
    "validate",
    "solve",
    "batch",
    "surge",
    "frontier",
    "history",
    "check",
    "abk",
    "schema",
    "serve",
    "siasn",
    "consult",
    "replan",
)


def add_params_options(
    parser: argparse.ArgumentParser,
    *,
    default_time_limit: float | None,
    what: str,
    workers_help: str | None = "solver threads",
) -> None:
    """The solve parameters of a command that solves: ``--params``, ``--time-limit``,
    ``--work-limit``, ``--seed`` and (unless ``workers_help`` is None) ``--workers``;
    read them with :func:`params_of` (or :func:`limits_of`)."""
    default = "none" if default_time_limit is None else f"{default_time_limit:g}"
    parser.add_argument(
        "--params",
        type=Path,
        default=None,
        metavar="FILE.toml",
        help="solve parameters from the [solve] table of a TOML file (time_limit, "
        "work_limit, seed, workers, log, decompose, warm_start, lp_bounds, neighbourhoods); "
        "options given on the command line override the file",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"seconds for {what} (default {default}, none with --work-limit; 0: no limit, "
        "every stage proven, which can take hours on a large city). The command returns on "
        "time with the best plan it has",
    )
    parser.add_argument(
        "--work-limit",
        type=float,
        default=None,
        metavar="UNITS",
        help=f"work units for {what} (counted solver work, not seconds): the same input, "
        "--seed, --workers and --work-limit give the same plan on any machine and under any "
        "load. With both limits the first reached stops (summary.json: stopped_by)",
    )
    parser.add_argument("--seed", type=int, default=None, help="solver random seed (default 0)")
    if workers_help is not None:
        parser.add_argument("--workers", type=int, default=None, help=workers_help)
    parser.set_defaults(default_time_limit=default_time_limit)


def limits_of(args: argparse.Namespace) -> tuple[float | None, float | None]:
    """``(time_limit, work_limit)`` of the options of :func:`add_params_options`
    (see :func:`params_of`)."""
    params = params_of(args)
    return params.time_limit, params.work_limit


def params_of(args: argparse.Namespace, *, workers: str = "workers") -> SolveParams:
    """The :class:`~mutasi_opt.domain.params.SolveParams` of a command that solves.

    The ``--params`` file (if any), with every option given on the command line
    overriding it: ``--time-limit`` (0: no time limit), ``--work-limit``,
    ``--seed`` and the solver threads (the option named ``workers``).  Without a
    time limit from either, the command's default time limit applies unless a
    work limit is given.  A bad file raises :class:`InputError` (file, line,
    key); a bad option :class:`UsageError`.
    """
    import math

    from ..domain.params import SolveParams

    path = getattr(args, "params", None)
    params = SolveParams() if path is None else SolveParams.from_toml(path)
    changes: dict[str, object] = {}
    work = args.work_limit
    if work is not None:
        if not math.isfinite(work) or work <= 0:
            raise UsageError(f"--work-limit must be a number of work units above 0 (got {work:g})")
        changes["work_limit"] = float(work)
    seconds = args.time_limit
    if seconds is not None:
        if not math.isfinite(seconds) or seconds < 0:
            raise UsageError(f"--time-limit must be 0 (no limit) or more (got {seconds:g})")
        changes["time_limit"] = float(seconds) or None
    elif "time_limit" not in params.model_fields_set:
        has_work = work is not None or params.work_limit is not None
        changes["time_limit"] = None if has_work else args.default_time_limit
    seed = getattr(args, "seed", None)
    if seed is not None:
        changes["seed"] = seed
    threads = getattr(args, workers, None)
    if threads is not None:
        changes["workers"] = threads
    try:
        return params.replace(**changes)
    except ValueError as exc:  # a seed or workers out of range
        raise UsageError(str(exc)) from None


def describe_limits(time_limit: float | None, work_limit: float | None) -> str:
    """``time limit 60 s``, ``work limit 20 units``, both, or ``no limit``."""
    parts = []
    if time_limit is not None:
        parts.append(f"time limit {time_limit:g} s")
    if work_limit is not None:
        parts.append(f"work limit {work_limit:g} units")
    return ", ".join(parts) or "no limit"


def whole_number(least: int, most: int = 1_000_000_000) -> Callable[[str], int]:
    """An argparse type: a whole number from ``least`` to ``most``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        if value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:,}, got {value}")
        return value

    return parse


#: An argparse type: a whole number, 0 or more (``--max-moves 5``).
count = whole_number(0)


def out_folder(text: str) -> Path:
    """An argparse type: an output folder (``--out``); an existing file is refused."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder; give a folder")
    return path


def check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` folder that is a data folder, before any work: the
    plan's files (its ``units.csv``) would overwrite the input."""
    from ..io.plans import refuse_data_folder

    out = getattr(args, "out", None)
    if not isinstance(out, Path) or not out.is_dir():
        return
    inputs = [getattr(args, name, None) for name in ("folder", "root")]
    if any(isinstance(p, Path) and p.is_dir() and p.samefile(out) for p in inputs):
        raise UsageError(
            f"--out {out} is the data folder; writing the results there would overwrite "
            "its units.csv. Give another folder"
        )
    try:
        refuse_data_folder(out)
    except FileExistsError as exc:
        raise UsageError(f"--out {exc}") from None


#: Characters a terminal may act on (escape sequences, cursor moves, bidi
#: overrides that reorder text): every C0 control but newline and tab, DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters written as ``\\u001b`` (also valid inside JSON)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Printable(io.TextIOBase):
    """A text stream that writes through :func:`printable`: names and values read
    from the user's files never reach the terminal as control sequences.
    ``unfiltered`` is the stream itself (for the progress line's ``\\r``)."""

    def __init__(self, stream: TextIO) -> None:
        self.unfiltered = stream

    def write(self, text: str) -> int:
        self.unfiltered.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.unfiltered.flush()

    def isatty(self) -> bool:
        return self.unfiltered.isatty()

    def fileno(self) -> int:
        return self.unfiltered.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.unfiltered, "encoding", "utf-8"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unfiltered, name)


def unfiltered(stream: Any) -> Any:
    """The stream under :class:`_Printable` (or ``stream`` itself): for a progress
    line's ``\\r``, which carries no text from the user's files."""
    return getattr(stream, "unfiltered", stream)


@contextlib.contextmanager
def printable_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` through :func:`printable` while the command runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout = _Printable(saved[0])
    sys.stderr = _Printable(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors; our 2 means infeasible, so use 1."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand registered."""
    from .. import __version__

    parser = _Parser(
        prog="mutasi-opt",
        description="Plan transfers (mutasi) of ASN between work units.",
    )
    parser.add_argument("--version", action="version", version=f"mutasi-opt {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # subcommand not built yet
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    return parser


def print_input_error(
    err: InputError, *, as_json: bool = False, warnings: Sequence[InputIssue] | None = None
) -> None:
    """Print every issue of ``err`` to stderr (or JSON to stdout, with the
    ``warnings`` of reading when given)."""
    if as_json:
        import json

        document: dict[str, Any] = {"status": "invalid", "issues": err.to_list()}
        if warnings is not None:
            document["warnings"] = [w.to_dict() for w in warnings]
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stderr.write(f"error: {err}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mutasi-opt`` console script."""
    with printable_streams():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        check_out(args)
        code: int = args.func(args)
    except InputError as err:
        print_input_error(err, as_json=bool(getattr(args, "json", False)))
        return EXIT_INPUT
    except UsageError as err:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"error: {err}\n")
        return EXIT_INPUT
    except FileNotFoundError as err:
        sys.stderr.write(f"error: {err.filename or err}: no such file or folder\n")
        return EXIT_INPUT
    except OSError as err:  # a path given that cannot be read or written (a folder, no rights)
        if err.filename is not None:
            sys.stderr.write(f"error: {err.filename}: {err.strerror or err}\n")
        else:
            sys.stderr.write(f"error: {err}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
