"""Reading and writing a data folder.

A data folder holds ``employees`` and ``units`` (required), ``demand`` and
``requirements`` (optional), each as ``.csv`` or ``.xlsx``, plus an optional
``policy.toml`` (see the README, "The data folder").
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..domain.errors import InputError, InputIssue, toml_text
from ..domain.headers import normalise_header
from ..domain.problem import Policy, Problem
from .columns import TABLES
from .excel import keep_text
from .frames import problem_to_frames
from .parse import build_problem, note, parse_policy
from .tables import EXCEL_HINT, Source, cell_text, read_source

__all__ = ["folder_sources", "policy_toml", "read_folder", "read_policy", "write_folder"]

logger = logging.getLogger("mutasi_opt")

POLICY_FILE = "policy.toml"
_FORMATS = (".csv", ".xlsx")


def _read_policy(path: Path) -> tuple[Policy | None, list[InputIssue]]:
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [InputIssue(file, None, None, None, f"cannot read the file: {exc.strerror}")]
    try:
        text = toml_text(raw, file)
    except InputError as err:
        return None, list(err.issues)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        return None, [
            InputIssue(
                file,
                int(found.group(1)) if found else None,
                None,
                None,
                f"not valid TOML ({exc}); write one 'key = value' per line, "
                "e.g. max_moves = 50 or allow_pppk_moves = false",
            )
        ]
    return parse_policy(data, file, text)


def read_policy(path: str | Path) -> Policy:
    """Read and validate a ``policy.toml`` file.

    Raises
    ------
    InputError
        For a missing or unreadable file, invalid TOML, unknown keys or bad
        values; each issue names the file, the line and the key.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(
            [InputIssue(file.name, None, None, None, "the policy file does not exist")]
        )
    policy, issues = _read_policy(file)
    if issues or policy is None:
        raise InputError(issues)
    return policy


#: Files that sit next to the tables without being read by :func:`read_folder`
#: (read by their own commands), by lower-cased stem.
_COMPANIONS = frozenset({"history", "surges", "tasks", "abk", "params", "readme", "siasn"})

#: Other names of the tables (normalised file stems) → the table.
_TABLE_NAMES = {
    "employee": "employees",
    "pegawai": "employees",
    "data_pegawai": "employees",
    "asn": "employees",
    "unit": "units",
    "unit_kerja": "units",
    "opd": "units",
    "beban_kerja": "demand",
    "kebutuhan": "demand",
    "abk_demand": "demand",
    "requirement": "requirements",
    "persyaratan": "requirements",
    "syarat_kompetensi": "requirements",
    "kebutuhan_kompetensi": "requirements",
    "policies": "policy",
    "kebijakan": "policy",
}


def _table_like(entry: Path) -> str | None:
    """The table (or ``policy``) a file that is not read seems to hold, by its name:
    ``Employees (1).csv``, ``pegawai.xlsx``, ``demand.csv.csv``, ``requirement.csv``."""
    stem = entry.name.lower()
    while Path(stem).suffix in (*_FORMATS, ".xls", ".toml", ".txt", ".tsv"):
        stem = Path(stem).stem
    key = normalise_header(re.sub(r"\(\d+\)|\bcopy\b|\bsalinan\b", "", stem))
    key = re.sub(r"_?\d+$", "", key)  # employees_2026, units2
    for name in (*TABLES, "policy"):
        if key == name or key.startswith(name + "_"):
            return name
    return _TABLE_NAMES.get(key)


def _file_issue(file: str, message: str) -> InputIssue:
    """An issue of a whole file (no row, column or value)."""
    return InputIssue(file, None, None, None, message)


def _listing(
    folder: Path, issues: list[InputIssue]
) -> tuple[dict[str, Path], set[str], list[Path]]:
    """Lower-cased name → entry of the folder, the lower-cased names of which the
    folder has two entries, and the other (not hidden) entries.  Two names
    differing only in case (``units.csv`` and ``Units.csv``) are an issue for the
    table files, whose names are matched case-insensitively: neither is chosen."""
    wanted = {name + ext for name in TABLES for ext in (*_FORMATS, ".xls")} | {POLICY_FILE}
    listing: dict[str, Path] = {}
    clashing: set[str] = set()
    others: list[Path] = []
    for entry in sorted(folder.iterdir()):
        key = entry.name.lower()
        if key not in wanted:
            if not entry.name.startswith((".", "~$")):
                others.append(entry)
            continue
        if key in listing:
            clashing.add(key)
            issues.append(
                _file_issue(
                    entry.name,
                    f"both {listing[key].name} and {entry.name} are in the folder (file names "
                    "are matched without regard to case); keep only one of them",
                )
            )
            continue
        listing[key] = entry
    return {k: v for k, v in listing.items() if k not in clashing}, clashing, others


def _unread_files(
    others: list[Path], present: set[str], issues: list[InputIssue], notes: list[InputIssue] | None
) -> None:
    """Files of the folder that are not read: an issue when one seems to hold a table
    the folder lacks (its rows would be lost), else a warning naming it."""
    tables = ", ".join(f"{name}.csv" for name in TABLES)
    for entry in others:
        like = _table_like(entry)
        stem = entry.name.lower().split(".")[0]
        if like is not None and like not in present:
            target = POLICY_FILE if like == "policy" else f"{like}.csv or {like}.xlsx"
            issues.append(
                _file_issue(
                    entry.name,
                    f"{entry.name} is not read, but looks like the {like} "
                    f"{'file' if like == 'policy' else 'table'}, which the folder lacks; "
                    f"rename it to {target} (or move it out of the folder)",
                )
            )
        elif stem not in _COMPANIONS and entry.is_file():
            note(
                notes,
                _file_issue(
                    entry.name,
                    f"{entry.name} is not read (a data folder holds {tables} and {POLICY_FILE})",
                ),
            )


def read_folder(path: str | Path, *, warnings: list[InputIssue] | None = None) -> Problem:
    """Read, validate and cross-check the data folder at ``path``.

    ``warnings``, when given, receives what was read with a note: columns and
    sheets that are not read, cells cleaned (invisible characters in NIPs);
    otherwise these go to the ``mutasi_opt`` log.

    Raises
    ------
    InputError
        Listing every problem in the whole folder at once; each issue names
        the file as found (``employees.xlsx``), the spreadsheet row (header =
        row 1), the column as written in the header, the value and what to
        change.
    """
    folder = Path(path)
    sources, files, policy, issues = folder_sources(folder, warnings)
    return build_problem(sources, files, policy, issues, warnings)


def folder_sources(
    folder: Path, warnings: list[InputIssue] | None, *, skip: tuple[str, ...] = ()
) -> tuple[dict[str, Source | None], dict[str, str], Policy | None, list[InputIssue]]:
    """The raw tables of a data folder, the file names, the policy and the issues so
    far, for :func:`~mutasi_opt.io.parse.build_problem`.  Tables in ``skip`` are
    not read (a caller reads them its own way: :func:`mutasi_opt.io.siasn.read_siasn`)."""
    if not folder.is_dir():
        raise InputError(
            [
                InputIssue(
                    str(folder),
                    None,
                    None,
                    None,
                    "not a folder; give the folder that holds employees.csv and units.csv",
                )
            ]
        )
    issues: list[InputIssue] = []
    listing, clashing, others = _listing(folder, issues)
    sources: dict[str, Source | None] = {}
    files: dict[str, str] = {}
    for name, spec in TABLES.items():
        if name in skip:
            continue
        found = [listing[name + ext] for ext in _FORMATS if name + ext in listing]
        files[name] = found[0].name if found else f"{name}.csv"
        if any(name + ext in clashing for ext in _FORMATS):
            sources[name] = None  # two files differing in case (reported)
            continue
        if len(found) > 1:
            issues.append(
                InputIssue(
                    found[1].name,
                    None,
                    None,
                    None,
                    f"both {found[0].name} and {found[1].name} are in the folder; "
                    "keep only one of them",
                )
            )
            sources[name] = None
            continue
        if not found:
            if name + ".xls" in listing:
                issues.append(
                    InputIssue(
                        listing[name + ".xls"].name,
                        None,
                        None,
                        None,
                        "old .xls workbooks are not read; save it as .xlsx or .csv",
                    )
                )
                sources[name] = None
            elif spec.required_file:
                issues.append(
                    InputIssue(
                        f"{name}.csv",
                        None,
                        None,
                        None,
                        f"the folder has no {name}.csv or {name}.xlsx; add it",
                    )
                )
                sources[name] = None
            continue
        if not found[0].is_file():
            issues.append(_not_a_file(found[0]))
            sources[name] = None
            continue
        try:
            sources[name] = read_source(found[0])
        except InputError as err:
            issues.extend(err.issues)
            sources[name] = None
    files["policy"] = POLICY_FILE
    policy: Policy | None = Policy()
    if POLICY_FILE in clashing:
        policy = None  # two files differing in case (reported)
    elif POLICY_FILE in listing:
        entry = listing[POLICY_FILE]
        files["policy"] = entry.name
        if not entry.is_file():
            issues.append(_not_a_file(entry))
            policy = None
        else:
            policy, policy_issues = _read_policy(entry)
            issues.extend(policy_issues)
    present = {name for name in (*TABLES, "policy") for key in listing if key.split(".")[0] == name}
    _unread_files(
        others, present | {k.split(".")[0] for k in clashing} | set(skip), issues, warnings
    )
    return sources, files, policy, issues


def _not_a_file(entry: Path) -> InputIssue:
    """The issue of a table name that exists but is no file that can be read."""
    what = "a folder" if entry.is_dir() else "not a readable file (a broken link?)"
    return _file_issue(entry.name, f"{entry.name} is {what}; put the table file there")


# ------------------------------------------------------------------ writing
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dt.date):
        return value.isoformat()  # a TOML local date
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(f"cannot write {value!r} to TOML")


def policy_toml(policy: Policy) -> str:
    """``policy.toml`` text with every key that differs from its default."""
    lines = ["# mutasi-opt policy; keys not listed have their default value"]
    for name, info in Policy.model_fields.items():
        value = getattr(policy, name)
        if value is None or value == info.get_default(call_default_factory=True):
            continue
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _check_writable(problem: Problem) -> None:
    """Values that the text formats cannot hold unambiguously."""
    bad: list[str] = []
    for u in problem.units:
        if re.search(r"[;|]", u.unit):
            bad.append(f"unit id {u.unit!r} contains ';' or '|' (the list separators)")
    for e in problem.employees:
        for code, _ in e.competencies:
            if re.search(r"[;|:]", code):
                bad.append(f"competency code {code!r} contains ';', '|' or ':'")
    if bad:
        raise ValueError("cannot write the problem as a data folder: " + "; ".join(bad[:5]))


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series([cell_text(v) for v in frame[c].tolist()], dtype=object) for c in frame}
    )


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    try:
        import openpyxl
    except ImportError:
        raise ImportError(EXCEL_HINT) from None
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = path.stem
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False, name=None):
        row: list[Any] = []
        for value in record:
            if isinstance(value, np.generic):
                value = value.item()
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                row.append(None)
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            elif isinstance(value, int) or (
                isinstance(value, float)
                and math.isfinite(value)
                and float(f"{value:.16g}") == value
            ):
                row.append(value)  # a number cell (openpyxl writes 16 significant digits)
            elif isinstance(value, float):
                row.append(repr(value))  # text keeps every digit; read back exactly
            else:
                row.append(str(cell_text(value)))
        sheet.append(row)
    keep_text(sheet)  # text, not a formula
    workbook.save(path)


def write_folder(
    problem: Problem, path: str | Path, *, format: Literal["csv", "xlsx"] = "csv"
) -> Path:
    """Write ``problem`` as a data folder that :func:`read_folder` reads back equal.

    Canonical column names; competencies as ``code:level;code:level``, unit
    lists as ``U1;U2``, bools as ``true``/``false``, floats in their shortest
    exact form.  Every table is written (a header alone when empty);
    ``policy.toml`` lists the keys that differ from the defaults.  Returns the
    folder.
    """
    if format not in ("csv", "xlsx"):
        raise ValueError(f"format must be 'csv' or 'xlsx', not {format!r}")
    _check_writable(problem)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    other = ".xlsx" if format == "csv" else ".csv"
    clash = [folder / f"{name}{other}" for name in TABLES if (folder / f"{name}{other}").exists()]
    if clash:
        raise FileExistsError(
            f"{clash[0]} exists; writing {format} next to it would make the folder ambiguous"
        )
    for name, frame in problem_to_frames(problem).items():
        target = folder / f"{name}.{format}"
        if format == "csv":
            _text_frame(frame).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
        else:
            _write_xlsx(frame, target)
    (folder / POLICY_FILE).write_text(policy_toml(problem.policy), encoding="utf-8")
    logger.info("wrote %s (%d employees, %s)", folder, len(problem.employees), format)
    return folder
