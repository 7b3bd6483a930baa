"""Turn raw tables into a validated :class:`~mutasi_opt.domain.problem.Problem`, fast.

Validating 100,000 rows one pydantic model at a time is too slow, so each
column is validated once per *distinct* cell:

1. the column's cells are factorised (pandas) into codes and unique values;
2. each unique value is validated by the model itself: a *probe* row (the
   minimal valid row with just this field replaced) goes through the model's
   validator, and the field's value is taken from the result.  So the rules,
   coercions and messages are exactly the model's.  Before that, each
   unique value tries the field's fast path (:mod:`mutasi_opt.io.fastpath`,
   generated from the field's own definition: its validators, its type and
   its constraints); the values it is not sure of go to the probe.  18-digit
   NIPs are checked by :func:`~mutasi_opt.domain.values.nips_well_formed`,
   the vectorised twin of the NIP rule, next to that rule;
3. rows without a bad cell become model instances through the trusted
   constructor (no second validation);
4. :meth:`Problem._cross_check` runs on the rows that validated, with a
   :class:`~mutasi_opt.domain.problem.CheckContext` that maps positions to spreadsheet
   rows and files.

Every issue of every table is collected and raised as one InputError.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import logging
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from ..domain.arrays import IntArray, ObjectArray
from ..domain.errors import InputError, InputIssue
from ..domain.problem import (
    CheckContext,
    Demand,
    Employee,
    Pair,
    Policy,
    Problem,
    Requirement,
    Surge,
    Unit,
    clean_message,
)
from ..domain.responses import Response
from ..domain.values import INVISIBLE, Nip, nips_well_formed
from .columns import TABLES, TableSpec, camel_key, looks_like, named_like, normalise_header
from .fastpath import FAIL, fast_parser, text_twin
from .numbers import decimal_comma_column, thousands_grouped
from .tables import Source, cell_text

__all__ = ["build_problem", "load_table", "parse_policy"]

logger = logging.getLogger("mutasi_opt")

Parsed = tuple[bool, Any]  # (True, value) or (False, message)

REQUIRED = "this value is required; fill it in"

#: A minimal valid row of each model; a probe replaces one field.
_PROBE_BASE: dict[type[Any], dict[str, Any]] = {
    Employee: {"nip": Nip("0"), "unit": "u"},
    Unit: {"unit": "u"},
    Demand: {"unit": "u", "workload_hours": 0.0},
    Requirement: {"unit": "u", "competency": "c"},
    # the widest window, so that probing start or end alone never trips end < start
    Surge: {"surge": "s", "unit": "u", "start": "2000-01", "end": "2100-12", "extra_fte": 1.0},
    # two ids no cell holds, so that probing one NIP never trips "both NIPs the same"
    Pair: {"nip_a": Nip("\u2063a"), "nip_b": Nip("\u2063b"), "kind": "separate"},
    # a unit listed, so that probing the response alone never trips "prefer lists units"
    Response: {"nip": Nip("0"), "response": "object", "units": ("u",)},
}


_HINTS = {
    "float_parsing": "write a number such as 0.5 or 1250",
    "float_type": "write a number such as 0.5 or 1250",
    "int_parsing": "write a whole number such as 24",
    "int_from_float": "write a whole number such as 24",
    "int_type": "write a whole number such as 24",
    "finite_number": "write a finite number",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "less_than_equal": "check the value (no real count or number of hours is that large)",
}


def message(err: Mapping[str, Any]) -> str:
    """A user message for one pydantic error, with a hint on what to write."""
    text = clean_message(err)
    hint = _HINTS.get(str(err.get("type")))
    return f"{text}; {hint}" if hint else text


def _messages(errors: list[Any]) -> str:
    return "; ".join(dict.fromkeys(message(e) for e in errors))


_ADAPTERS: dict[type[Any], TypeAdapter[list[Any]]] = {}


def _list_adapter(model: type[Any]) -> TypeAdapter[list[Any]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]


def probe(model: type[Any], name: str, values: Sequence[Any]) -> list[Parsed]:
    """Validate each of ``values`` as field ``name`` through ``model`` itself.

    Each value replaces ``name`` in a minimal valid row; all rows are
    validated in one call (a list of models), the field is read from each
    result.  A value that fails gets the model's message.
    """
    if not values:
        return []
    base = _PROBE_BASE[model]
    rows = []
    for value in values:
        row = dict(base)
        row[name] = value
        rows.append(row)
    adapter = _list_adapter(model)
    get = operator.attrgetter(name)
    try:
        return [(True, v) for v in map(get, adapter.validate_python(rows))]
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    failed: dict[int, list[Any]] = {}
    for err in errors:
        loc = tuple(err.get("loc", ()))
        failed.setdefault(int(loc[0]), []).append(err)
    out: list[Parsed] = [(False, "")] * len(values)
    for i, errs in failed.items():
        mine = [e for e in errs if tuple(e.get("loc", ()))[1:2] == (name,)] or errs
        out[i] = (False, _messages(mine))
    good = [i for i in range(len(values)) if i not in failed]
    validated = adapter.validate_python([rows[i] for i in good])
    for i, value in zip(good, map(get, validated), strict=True):
        out[i] = (True, value)
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    The objects built here hold no reference cycles and live as long as the
    Problem, so collecting while 100,000 of them are created, and scanning
    them again in the young generations afterwards, only costs time (about a
    third of a 100,000-row load).  On the way out, ``gc.freeze()`` followed
    by ``gc.unfreeze()`` moves every tracked object to the oldest generation
    without a scan; it is skipped when the application uses ``gc.freeze()``
    itself.  (Cyclic garbage that happens to be young at that moment is then
    freed by the next full collection.)  The enabled state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


# ------------------------------------------------------------------ columns
@dataclass
class _Column:
    """One parsed column: ``values[codes[i]]`` is the value of record ``i``."""

    header: str
    codes: npt.NDArray[np.intp]
    values: ObjectArray
    ok: npt.NDArray[np.bool_]
    messages: dict[int, str]
    shown: list[str]
    direct: bool = False  # values[i] belongs to record i (codes = 0..n-1)

    def row_values(self, positions: npt.NDArray[np.intp] | None) -> list[Any]:
        if positions is None and self.direct:
            out: list[Any] = self.values[:-1].tolist()  # one value per record (+ NA slot)
        else:
            codes = self.codes if positions is None else self.codes[positions]
            out = self.values[codes].tolist()
        return out


def _parse_column(
    spec: TableSpec, name: str, header: str, cells: ObjectArray, source: Source
) -> _Column:
    n_cells = len(cells)
    twin = text_twin(spec.model, name) if source.text_only else None
    direct = name == "nip" or twin is not None
    if direct:
        # (Nearly) every value is distinct: skip factorising, parse per record.
        codes = np.arange(n_cells, dtype=np.intp)
        raw: list[Any] = [*cells.tolist(), ""]
    else:
        try:
            codes, uniques = pd.factorize(cells)
        except TypeError:  # unhashable cells (lists) in a DataFrame
            cells = np.array([cell_text(v) for v in cells], dtype=object)
            codes, uniques = pd.factorize(cells)
        # The NA slot is last: a missing cell (code -1) is pointed at it, so that
        # its message (keyed by position) is found as well as its value.
        codes = np.where(codes < 0, len(uniques), codes)
        raw = [*uniques.tolist(), ""]
    if source.text_only:
        texts = raw
        shown = raw
    else:
        texts = [cell_text(v, keep_float=name == "nip") for v in raw]
        shown = [t if isinstance(t, str) else repr(t) for t in texts]
    grouped_refused: dict[int, str] = {}
    if source.decimal_comma and name in spec.numeric:
        texts, grouped_refused = decimal_comma_column(texts)
    elif source.workbook and name in spec.numeric:
        # a text cell of a workbook: the notation is not known
        grouped_refused = {
            i: f"{t.strip()!r} could be {t.strip()} or {t.strip().replace('.', '')}; write it "
            "as a number cell (or without a thousands separator)"
            for i, t in enumerate(raw)
            if thousands_grouped(t)
        }

    n = len(texts)
    ok = np.ones(n, dtype=np.bool_)
    messages: dict[int, str] = {}
    results: list[Any]
    pending: Iterable[int]
    if name == "nip":
        strings = texts if source.text_only else [t if isinstance(t, str) else "" for t in texts]
        fine = nips_well_formed(strings)
        results = list(map(Nip, strings))
        pending = np.flatnonzero(~fine).tolist()
    elif twin is not None:
        results = list(map(twin, texts))  # the field's validation, which refuses no text
        pending = ()
    else:
        fast = fast_parser(spec.model, name)
        if fast is None:
            results = [None] * n
            pending = range(n)
        else:
            results = list(map(fast, texts))
            pending = [i for i, r in enumerate(results) if r is FAIL]
    required = spec.model.model_fields[name].is_required()
    to_probe: list[int] = []
    for i, why in grouped_refused.items():
        ok[i] = False
        messages[i] = why
    for i in pending:
        text = texts[i]
        if i in grouped_refused:
            continue
        if required and isinstance(text, str) and not text.strip():
            ok[i] = False
            messages[i] = REQUIRED
        else:
            to_probe.append(i)
    for i, (good, value) in zip(
        to_probe, probe(spec.model, name, [texts[i] for i in to_probe]), strict=True
    ):
        if good:
            results[i] = value
        else:
            ok[i] = False
            messages[i] = value
            results[i] = None
    values = np.fromiter(results, dtype=object, count=n)
    return _Column(header, codes.astype(np.intp, copy=False), values, ok, messages, shown, direct)


# ------------------------------------------------------------------- tables
@dataclass
class Loaded:
    """The validated rows of one table and what went wrong."""

    entities: list[Any] = field(default_factory=list)
    rows: Sequence[int] | IntArray = field(default_factory=list)  # spreadsheet row per entity
    headers: dict[str, str] = field(default_factory=dict)  # canonical → as written
    columns: dict[str, list[Any]] = field(default_factory=dict)  # canonical → entity values
    issues: list[InputIssue] = field(default_factory=list)
    usable: bool = True
    failed: bool = False
    failed_units: set[str] = field(default_factory=set)
    failed_roles: set[str] = field(default_factory=set)
    #: rows whose cells are valid but that break a row rule (not in ``entities``),
    #: as unchecked instances with their spreadsheet rows: a cross-check may
    #: still report their other issues, so that a row's issues come all at once
    rule_broken: list[tuple[Any, int]] = field(default_factory=list)


#: Columns whose absence only loses a description (everything else changes what
#: the plan may do: an absent ``employment_type`` makes everyone PNS, ...).
_DESCRIPTIVE = frozenset({"name", "rank"})


def note(notes: list[InputIssue] | None, issue: InputIssue) -> None:
    """Record a warning: into ``notes`` when the caller collects them, else the log."""
    if notes is None:
        logger.warning("%s", issue)
    else:
        notes.append(issue)


def resolve_columns(
    spec: TableSpec, source: Source, notes: list[InputIssue] | None = None
) -> tuple[dict[str, int], list[InputIssue]]:
    """Canonical column → position in ``source``; issues for duplicates and missing columns.

    A column that is not known is ignored, with a warning in ``notes`` (the log
    when None) naming it and the known column it looks like
    (:func:`~mutasi_opt.io.columns.looks_like`).  It is an issue instead when the
    column it looks like is missing and that changes the meaning of the data: a
    required column, or one whose default would apply to every row (an
    ``employment_type`` under another name would make everyone PNS).
    """
    lookup = spec.lookup()
    found: dict[str, int] = {}
    issues: list[InputIssue] = []
    unknown: list[int] = []
    for j, header in enumerate(source.headers):
        key = normalise_header(header)
        if not key:
            continue
        canonical = lookup.get(key)
        if canonical is None:
            unknown.append(j)
            continue
        if canonical in found:
            first = source.headers[found[canonical]]
            issues.append(
                InputIssue(
                    source.file,
                    1,
                    header,
                    None,
                    f"columns {first!r} and {header!r} both mean {canonical!r}; "
                    "keep one of them (rename or delete the other)",
                )
            )
            continue
        found[canonical] = j
    likes: dict[int, str | None] = {}
    for j in unknown:
        values = source.cells[j][:1000].tolist() if j < len(source.cells) else []
        likes[j] = looks_like(spec, source.headers[j], [cell_text(v) for v in values])
    # the header suggested for a missing column: another system's name of it first
    # (nipBaru), then the first with a telling word in it
    suggested: dict[str, str] = {}  # canonical → the unknown header like it
    for j in sorted(unknown, key=lambda j: not named_like(spec, source.headers[j])):
        like = likes[j]
        if like is not None and like not in found and like not in _DESCRIPTIVE:
            suggested.setdefault(like, source.headers[j])
    for j in unknown:
        header = source.headers[j]
        like = likes[j]
        missing = like is not None and like not in found and like not in _DESCRIPTIVE
        if missing and like is not None and suggested[like] == header:
            if like not in spec.required_columns:
                issues.append(
                    InputIssue(
                        source.file,
                        1,
                        header,
                        None,
                        f"column {header!r} is not a known column but looks like "
                        f"{like!r}, which the table does not have; without it every row "
                        f"gets the default value of {like!r}. Rename the column to {like!r} if it "
                        "holds that, or give it a name unlike any known column if not",
                    )
                )
            continue
        if like is None:
            hint = "ignored"
        elif like in found:
            hint = f"ignored (it looks like {like!r}, which is column "
            hint += f"{source.headers[found[like]]!r})"
        elif like in suggested:
            hint = f"ignored (it looks like {like!r}, as column {suggested[like]!r} does)"
        else:
            hint = f"ignored; rename it to {like!r} if it holds that"
        note(notes, InputIssue(source.file, 1, header, None, f"not a known column; {hint}"))
    for column in spec.required_columns:
        if column not in found:
            names = ", ".join(spec.accepted(column))
            like = suggested.get(column)
            hint = (
                f"column {like!r} looks like it (the name another system uses?): rename it "
                f"to {column!r}"
                if like is not None
                else f"add it to the header (accepted names: {names})"
            )
            if spec.name == "employees" and like is not None and camel_key(like) == "nip_baru":
                hint += (
                    ", or read the file as a SIASN export (name it siasn.csv or siasn.xlsx "
                    "and use mutasi-opt siasn, or mutasi_opt.read_siasn)"
                )
            issues.append(
                InputIssue(
                    source.file,
                    1,
                    column,
                    None,
                    f"required column {column!r} is missing; {hint}",
                )
            )
    return found, issues


def _header_elsewhere(spec: TableSpec, source: Source) -> InputIssue | None:
    """The issue of a header below title rows: a row of the preview (not row 1)
    holding at least two known column names, when row 1 holds none."""
    lookup = spec.lookup()
    if any(normalise_header(h) in lookup for h in source.headers):
        return None
    for k, record in enumerate(source.preview[1:], start=2):
        known = [v for v in record if normalise_header(v) in lookup]
        if len(known) >= min(2, len(spec.required_columns)):
            return InputIssue(
                source.file,
                k,
                None,
                None,
                f"the header seems to be on row {k} (it has {', '.join(map(repr, known[:4]))}), "
                f"not on row 1; delete the {k - 1} row{'s' if k > 2 else ''} above it "
                "(titles) so that the column names are on row 1",
            )
    return None


def _sheet_issues(
    spec: TableSpec, source: Source, notes: list[InputIssue] | None
) -> list[InputIssue]:
    """Other sheets of a workbook: only the first is read.  A sheet whose header has
    every required column looks like more rows of the table (an issue: they would be
    lost); any other non-empty sheet is named in a warning."""
    lookup = spec.lookup()
    issues: list[InputIssue] = []
    for title, header in source.other_sheets:
        columns = {lookup.get(normalise_header(h)) for h in header}
        if set(spec.required_columns) <= columns:
            issues.append(
                InputIssue(
                    source.file,
                    None,
                    None,
                    title,
                    f"sheet {title!r} also has the columns of the {spec.name} table, but only "
                    "the first sheet of a workbook is read; move its rows to the first sheet "
                    "(or delete the sheet if they are not part of the table)",
                )
            )
        else:
            note(
                notes,
                InputIssue(
                    source.file,
                    None,
                    None,
                    title,
                    f"sheet {title!r} is not read (only the first sheet of a workbook is)",
                ),
            )
    return issues


def _invisible_nips(source: Source, j: int, notes: list[InputIssue] | None) -> None:
    """A warning naming the rows whose NIP held invisible characters (removed)."""
    cells = source.cells[j].tolist()
    texts = cells if source.text_only else [str(cell_text(v)) for v in cells]
    if INVISIBLE.search("\n".join(texts)) is None:  # one search over the column: the usual case
        return
    rows = [int(source.rows[i]) for i, t in enumerate(texts) if INVISIBLE.search(t)]
    if rows:
        shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
        note(
            notes,
            InputIssue(
                source.file,
                rows[0],
                source.headers[j],
                None,
                f"{len(rows)} NIP{'s' if len(rows) > 1 else ''} held invisible characters "
                f"(zero-width space, ...), removed when reading: row{'s' if len(rows) > 1 else ''} "
                f"{shown}; clean those cells",
            ),
        )


def load_table(spec: TableSpec, source: Source, notes: list[InputIssue] | None = None) -> Loaded:
    """Validate every row of ``source`` as ``spec.model``; warnings go to ``notes``
    (the log when None)."""
    if not any(str(h).strip() for h in source.headers) and not len(source) and not source.issues:
        header = ", ".join(spec.columns)
        empty = InputIssue(
            source.file,
            None,
            None,
            None,
            f"the file is empty; write the header ({header}) and the rows, or delete the file",
        )
        return Loaded(issues=[empty], usable=False)
    found, issues = resolve_columns(spec, source, notes)
    issues = [*source.issues, *_sheet_issues(spec, source, notes), *issues]
    headers = {c: source.headers[j] for c, j in found.items()}
    if any(c not in found for c in spec.required_columns):
        elsewhere = _header_elsewhere(spec, source)
        if elsewhere is not None:  # the other issues follow from the misplaced header
            issues = [elsewhere]
        return Loaded(headers=headers, issues=issues, usable=False)
    if "nip" in found:
        _invisible_nips(source, found["nip"], notes)
    parsed = {
        name: _parse_column(spec, name, source.headers[j], source.cells[j], source)
        for name, j in found.items()
    }
    n = len(source)
    bad = np.zeros(n, dtype=np.bool_)
    cell_issues: list[tuple[int, int, InputIssue]] = []
    for k, column in enumerate(parsed.values()):
        if column.ok.all():
            continue
        row_bad = ~column.ok[column.codes]
        if not row_bad.any():
            continue
        bad |= row_bad
        for i in np.flatnonzero(row_bad).tolist():
            code = int(column.codes[i])
            row = int(source.rows[i])
            cell_issues.append(
                (
                    i,
                    k,
                    InputIssue(
                        source.file, row, column.header, column.shown[code], column.messages[code]
                    ),
                )
            )
    rule_issues, rule_broken, kept = _broken_row_rules(spec, parsed, bad, source)
    cell_issues += rule_issues
    cell_issues.sort(key=lambda t: (t[0], t[1]))
    issues.extend(issue for _, _, issue in cell_issues)

    good = np.flatnonzero(~bad) if bad.any() else None
    names = list(parsed)
    columns = [c.row_values(good) for c in parsed.values()]
    # (the rows that had their row rules run are built already)
    entities = spec.model._trusted_many(names, columns) if kept is None else kept
    rows = source.rows if good is None else source.rows[good]
    loaded = Loaded(
        entities=entities,
        rows=rows,
        headers=headers,
        columns=dict(zip(names, columns, strict=True)),
        issues=issues,
        failed=good is not None,
        rule_broken=rule_broken,
    )
    if good is not None:
        _note_failed(spec, parsed, np.flatnonzero(bad), loaded)
    return loaded


def _broken_row_rules(
    spec: TableSpec, parsed: Mapping[str, _Column], bad: npt.NDArray[np.bool_], source: Source
) -> tuple[list[tuple[int, int, InputIssue]], list[tuple[Any, int]], list[Any] | None]:
    """The model's row rules (:meth:`row_rules`, which the trusted constructor
    does not run) on every row whose cells are valid; marks the rows that break
    one as ``bad`` and returns an issue per broken rule (sorted after the row's
    cells), the rows that broke one (:attr:`Loaded.rule_broken`) and the
    instances of the rows that broke none (``None`` when the model has no row rules)."""
    rules = spec.model.row_rules()
    if not rules:
        return [], [], None
    rows = np.flatnonzero(~bad)
    names = list(parsed)
    entities = spec.model._trusted_many(names, [c.row_values(rows) for c in parsed.values()])
    out: list[tuple[int, int, InputIssue]] = []
    broken: list[tuple[Any, int]] = []
    for i, entity in zip(rows.tolist(), entities, strict=True):
        row = int(source.rows[i])
        for field_name, rule in rules:
            try:
                rule(entity)
            except ValueError as error:
                column = parsed.get(field_name) if field_name is not None else None
                header = column.header if column is not None else field_name
                shown = column.shown[int(column.codes[i])] if column is not None else None
                out.append((i, len(names), InputIssue(source.file, row, header, shown, str(error))))
                if not bad[i]:
                    bad[i] = True
                    broken.append((entity, row))
    kept = [entity for i, entity in zip(rows.tolist(), entities, strict=True) if not bad[i]]
    return out, broken, kept


def _note_failed(
    spec: TableSpec, parsed: Mapping[str, _Column], failed: npt.NDArray[np.intp], out: Loaded
) -> None:
    """Remember unit ids and roles of rows that failed, to avoid follow-on issues."""

    def good_values(name: str) -> list[Any]:
        column = parsed.get(name)
        if column is None:
            return []
        codes = column.codes[failed]
        out: list[Any] = column.values[codes[column.ok[codes]]].tolist()
        return out

    if spec.name == "units":
        out.failed_units.update(good_values("unit"))
        hours = parsed.get("workload_hours")
        if hours is not None and any(
            str(hours.shown[int(c)]).strip() for c in hours.codes[failed].tolist()
        ):
            out.failed_roles.add("")
    elif spec.name == "demand":
        roles = good_values("role") if "role" in parsed else [""]
        out.failed_roles.update(roles)


# ------------------------------------------------------------------- policy
def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(list(value)) if isinstance(value, tuple | list) else str(value)


def _key_line(text: str | None, key: str | None) -> int | None:
    if text is None or key is None:
        return None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


#: Policy keys holding a date.
_DATE_KEYS = frozenset(
    name for name, info in Policy.model_fields.items() if "date" in str(info.annotation)
)


def parse_policy(
    data: Mapping[str, Any], file: str, text: str | None = None
) -> tuple[Policy | None, list[InputIssue]]:
    """Validate policy keys (strict types: ``"24"`` is not a number); ``text`` locates lines."""
    known = Policy.model_fields
    issues: list[InputIssue] = []
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            issues.append(
                InputIssue(
                    file,
                    _key_line(text, name),
                    name,
                    _show(value) if not isinstance(value, Mapping) else None,
                    f"unknown policy key {name!r}; remove it or use one of: {', '.join(known)}",
                )
            )
            continue
        clean[name] = tuple(value) if isinstance(value, list) else value
        if name in _DATE_KEYS and isinstance(value, str):
            # a date in JSON (or quoted in TOML) is its ISO text; else the model refuses it
            with contextlib.suppress(ValueError):
                clean[name] = dt.date.fromisoformat(value.strip())
    try:
        policy: Policy | None = Policy.model_validate(clean, strict=True)
    except ValidationError as exc:
        policy = None
        for err in exc.errors(include_url=False):
            loc = tuple(err.get("loc", ()))
            key: str | None = str(loc[0]) if loc else None
            issues.append(
                InputIssue(
                    file,
                    _key_line(text, key),
                    key,
                    _show(clean.get(key)) if key else None,
                    message(err),
                )
            )
    return policy, issues


# ------------------------------------------------------------------ problem
def _sort_key(files: Mapping[str, str]) -> Callable[[InputIssue], tuple[int, int]]:
    order = {file: k for k, file in enumerate(files.values())}
    return lambda issue: (order.get(issue.file, -1), issue.row or 0)


def build_problem(
    sources: Mapping[str, Source | None],
    files: Mapping[str, str],
    policy: Policy | None,
    issues: list[InputIssue],
    notes: list[InputIssue] | None = None,
) -> Problem:
    """Validate every table, cross-check, and return the problem or raise every issue.

    Parameters
    ----------
    sources
        Table name → raw table; None for a table that could not be read (its
        issues are in ``issues``); a missing name is an absent optional table.
    files
        Table name (and ``policy``) → file name shown in messages.
    policy
        The validated policy, or None when it had issues.
    issues
        Issues found so far (reading files, policy); extended and raised.
    notes
        Receives the warnings (ignored columns and sheets, cleaned cells); the
        log gets them when None.
    """
    issues = list(issues)
    with _gc_paused():
        loaded: dict[str, Loaded] = {}
        for name, spec in TABLES.items():
            source = sources.get(name) if name in sources else None
            if name not in sources:
                loaded[name] = Loaded()
            elif source is None:
                loaded[name] = Loaded(usable=False)
            else:
                loaded[name] = load_table(spec, source, notes)
                issues.extend(loaded[name].issues)
        problem = Problem._trusted(
            employees=tuple(loaded["employees"].entities),
            units=tuple(loaded["units"].entities),
            demand=tuple(loaded["demand"].entities),
            requirements=tuple(loaded["requirements"].entities),
            policy=policy if policy is not None else Policy(),
            pairs=tuple(loaded["pairs"].entities),
        )
        units, demand = loaded["units"], loaded["demand"]
        context = CheckContext(
            files=dict(files),
            rows={name: t.rows for name, t in loaded.items()},
            incomplete=frozenset(n for n, t in loaded.items() if t.failed or not t.usable),
            known_units=frozenset(units.failed_units) if units.usable else None,
            known_roles=(
                frozenset(demand.failed_roles | units.failed_roles) if demand.usable else None
            ),
            employees=loaded["employees"].columns,
        )
        table_of = {file: name for name, file in files.items()}
        for issue in problem._cross_check(context):
            table = loaded.get(table_of.get(issue.file, ""))
            if table is not None and issue.column is not None:
                issue = issue.relocated(column=table.headers.get(issue.column, issue.column))
            issues.append(issue)
    if issues:
        issues = _comma_hints(issues, sources)
        issues.sort(key=_sort_key(files))
        raise InputError(issues)
    return problem


COMMA_HINT = (
    "; if a value before it holds a comma (e.g. 'Ali, S.Kep'), put that value in double "
    "quotes: the values after the comma have moved one column to the right"
)


def _comma_hints(
    issues: list[InputIssue], sources: Mapping[str, Source | None]
) -> list[InputIssue]:
    """The issues of rows of a ``,`` file that look shifted by an unquoted comma
    (a cell starting with a space after a non-empty cell, as ``Ali, S.Kep`` splits),
    with :data:`COMMA_HINT` added; the rows are looked at only when they have issues."""
    by_file = {s.file: s for s in sources.values() if s is not None and s.delimiter == ","}
    wanted = {(i.file, i.row) for i in issues if i.file in by_file and i.row is not None}
    if not wanted:
        return issues
    shifted: set[tuple[str, int]] = set()
    for file, source in by_file.items():
        rows = {row for f, row in wanted if f == file}
        where = np.flatnonzero(np.isin(source.rows, list(rows)))
        for i in where.tolist():
            record = [str(column[i]) for column in source.cells]
            if any(
                b.startswith(" ") and b.strip() and a.strip() for a, b in itertools.pairwise(record)
            ):
                shifted.add((file, int(source.rows[i])))
    return [
        replace(i, message=i.message + COMMA_HINT) if (i.file, i.row) in shifted else i
        for i in issues
    ]
