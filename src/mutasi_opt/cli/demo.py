"""``mutasi-opt demo``: the current state of the embedded synthetic sample.

The sample (:func:`mutasi_opt.sample.load_sample`) is a synthetic Kota
Binjai-like city of about 5,000 ASN.  ``run`` shows its current state
(:func:`show_state`) and then calls :func:`solve_step`, the place where the
transfer plan is added once the demo also solves.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..analysis import current_state
from ..model import Problem
from . import EXIT_OK
from .validate import add_state_options, print_state

__all__ = ["SYNTHETIC_NOTE", "register", "run", "show_state", "solve_step"]

#: First line of the demo output.
SYNTHETIC_NOTE = (
    "Demo on the embedded SYNTHETIC sample: a Kota Binjai-like city; names, NIPs, head counts "
    "and workloads are invented (only the OPD and kecamatan names are real)."
)


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    p = sub.add_parser(
        "demo",
        help="show the embedded synthetic sample (Kota Binjai-like, ~5,000 ASN)",
        description="Run the current-state analysis on the embedded synthetic sample. "
        "The data are invented; see mutasi_opt/data/sample/README.md.",
    )
    add_state_options(p)
    p.set_defaults(func=run)


def show_state(problem: Problem, args: argparse.Namespace) -> None:
    """Print the current-state report of ``problem``."""
    report = current_state(problem, top=max(0, getattr(args, "top", 10)))
    print_state(report, show_all=bool(getattr(args, "all", False)))


def solve_step(problem: Problem, args: argparse.Namespace) -> int:
    """Hook for solving the sample after its state is shown; returns the exit code.

    Not wired yet: the demo only shows the current state.  To make it solve,
    add the solve options in :func:`register` (e.g.
    ``mutasi_opt.cli.solve.add_solve_options``, which also adds ``--json``)
    and return ``mutasi_opt.cli.solve.solve_and_report(problem, args, None)``
    here.
    """
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt demo``."""
    from ..sample import load_sample

    print(SYNTHETIC_NOTE)
    print()
    problem = load_sample()
    show_state(problem, args)
    return solve_step(problem, args)
