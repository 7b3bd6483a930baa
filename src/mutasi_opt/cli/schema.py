"""``mutasi-opt schema [problem|plan] [--out DIR]``: the JSON Schemas of the documents.

Without ``--out`` the schema of the problem or of the plan is printed to
stdout (both, as ``{"problem": ..., "plan": ...}``, when neither is named).
With ``--out DIR`` the files ``problem.schema.json`` and ``plan.schema.json``
(or the one named) are written there, pretty-printed with sorted keys, as
checked into the repository under ``schema/``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..domain.errors import UsageError
from . import EXIT_OK

__all__ = ["SCHEMAS", "register", "run", "write_schemas"]


def _problem() -> dict[str, Any]:
    from ..io.documents import problem_json_schema

    return problem_json_schema()


def _plan() -> dict[str, Any]:
    from ..io.documents import plan_json_schema

    return plan_json_schema()


#: Document name → the function giving its schema; files are ``NAME.schema.json``.
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {"problem": _problem, "plan": _plan}


def register(sub: Any) -> None:
    """Add the ``schema`` subcommand."""
    p = sub.add_parser(
        "schema",
        help="print or write the JSON Schema of the problem and the plan documents",
        description="Print the JSON Schema (draft 2020-12) of the problem document (input) or "
        "of the plan document (output); with --out DIR write problem.schema.json and "
        "plan.schema.json there.",
    )
    p.add_argument(
        "document",
        nargs="?",
        choices=tuple(SCHEMAS),
        help='which schema (default: both, printed as {"problem": ..., "plan": ...})',
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="write NAME.schema.json files to DIR")
    p.set_defaults(func=run)


def write_schemas(out_dir: Path, names: tuple[str, ...] = tuple(SCHEMAS)) -> list[Path]:
    """Write ``NAME.schema.json`` for each of ``names`` to ``out_dir``; the paths written."""
    from ..io.documents import schema_text

    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: is a file; give a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = out_dir / f"{name}.schema.json"
        path.write_text(schema_text(SCHEMAS[name]()), encoding="utf-8")
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt schema``."""
    from ..io.documents import schema_text

    names = tuple(SCHEMAS) if args.document is None else (args.document,)
    if args.out is not None:
        for path in write_schemas(args.out, names):
            print(path)
        return EXIT_OK
    if args.document is None:
        sys.stdout.write(schema_text({name: SCHEMAS[name]() for name in names}))
    else:
        sys.stdout.write(schema_text(SCHEMAS[args.document]()))
    return EXIT_OK
