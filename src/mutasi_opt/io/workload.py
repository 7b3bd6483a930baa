"""ABK (*Analisis Beban Kerja*) workload calculator.

An ABK task sheet lists, per unit kerja and jabatan, every task with its
volume per period and its *norma waktu* (standard minutes per output).  This
module turns it into yearly workload hours, the FTE those hours need, and —
given the current staff — EJ (*efektivitas jabatan*) and its band::

    hours per year = volume × periods per year × minutes ÷ 60
    required FTE   = hours ÷ effective hours
    EJ             = workload hours ÷ staff capacity hours  (metrics.ej)
    band           = A-E from EJ                           (metrics.band)

Capacity is the model's rule, ``round_half_up(fte × effective_hours)`` per
employee (:func:`mutasi_opt.metrics.fte_capacity_hours`).

Three layers:

* pure calculators on scalars or NumPy arrays (:func:`periods_per_year`,
  :func:`annual_volume`, :func:`task_hours`, :func:`required_fte`);
* validated records (:class:`AbkTask`, :class:`StaffMember`) parsed from rows
  with Indonesian column aliases, every bad cell reported at once in one
  :class:`~mutasi_opt.domain.errors.InputError` (header = row 1, first data row = 2);
* aggregation into the model's :class:`~mutasi_opt.domain.problem.Demand` rows
  (:func:`abk_to_demand`) and a per (unit, role) report (:func:`abk_report`).

pandas is imported only inside the DataFrame helpers
(:func:`tasks_from_frame`, :func:`abk_demand_frame`,
:meth:`AbkReport.to_frame`) and the file readers (:func:`read_tasks`,
:func:`read_staff`, which read through :func:`mutasi_opt.io.read_table`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .. import metrics
from ..domain.arrays import FloatArray, IntArray
from ..domain.errors import InputError, InputIssue
from ..domain.headers import normalise_header
from ..domain.problem import DEFAULT_EJ_BANDS, MAX_HOURS, Demand, clean_message
from .numbers import decimal_comma_column, decimal_point, thousands_grouped
from .tables import read_table

__all__ = [
    "BKN_2011",
    "DEFAULT_BANDS",
    "HOURS_DECIMALS",
    "PERIODS",
    "PERIOD_ALIASES",
    "PERMENPANRB_2020",
    "STAFF_COLUMNS",
    "STANDARDS",
    "TASK_COLUMNS",
    "AbkReport",
    "AbkRow",
    "AbkStandard",
    "AbkTask",
    "Period",
    "StaffLike",
    "StaffMember",
    "abk_demand_frame",
    "abk_report",
    "abk_to_demand",
    "annual_volume",
    "check_bands",
    "get_standard",
    "parse_period",
    "parse_staff",
    "parse_tasks",
    "periods_per_year",
    "read_staff",
    "read_tasks",
    "required_fte",
    "task_hours",
    "tasks_from_frame",
]


#: A task's period: the volume is counted per day, week, month or year.
Period = Literal["day", "week", "month", "year"]
PERIODS: tuple[Period, ...] = ("day", "week", "month", "year")

#: Accepted spellings of each period (after lower-casing and dropping "per").
PERIOD_ALIASES: Mapping[str, Period] = {
    **dict.fromkeys(("day", "days", "daily", "hari", "harian"), "day"),
    **dict.fromkeys(("week", "weeks", "weekly", "minggu", "mingguan", "pekan"), "week"),
    **dict.fromkeys(("month", "months", "monthly", "bulan", "bulanan", "bln"), "month"),
    **dict.fromkeys(
        ("year", "years", "yearly", "annual", "annually", "tahun", "tahunan", "thn"), "year"
    ),
}

#: Default EJ band thresholds (lower edges of A, B, C, D): those of the policy.
DEFAULT_BANDS = DEFAULT_EJ_BANDS

#: Hours are rounded to this many decimals after summing, to drop float noise
#: (``85.49999999999999`` → ``85.5``) before the model rounds them to whole hours.
HOURS_DECIMALS = 6

#: Task sheet columns and their accepted names (compared case-insensitively,
#: spaces and punctuation read as ``_``).  ``role`` and ``task`` are optional.
TASK_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "unit": ("unit", "unit_kerja", "unit_id", "opd", "satuan_kerja", "satker"),
    "role": ("role", "jabatan", "nama_jabatan"),
    "task": ("task", "tugas", "uraian_tugas", "uraian", "kegiatan"),
    "volume": ("volume", "beban", "beban_kerja", "jumlah", "volume_kerja"),
    "period": ("period", "periode", "satuan_waktu"),
    "minutes": (
        "minutes",
        "norma_waktu",
        "menit",
        "waktu_penyelesaian",
        "norma_waktu_menit",
        "waktu_penyelesaian_menit",
    ),
}
_TASK_REQUIRED = ("unit", "volume", "period", "minutes")

#: Staff (employees) file columns used here; every other column is ignored.
STAFF_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "unit": TASK_COLUMNS["unit"],
    "role": TASK_COLUMNS["role"],
    "fte": ("fte",),
}
_STAFF_REQUIRED = ("unit",)


# ------------------------------------------------------------------ standards
class AbkStandard(BaseModel):
    """A set of ABK working-time rules.

    Parameters
    ----------
    name
        Short key (``permenpanrb2020``), as accepted by :func:`get_standard`.
    title
        Human-readable name of the regulation.
    effective_hours
        Effective working hours of one FTE per year (*jam kerja efektif*).
    days_per_year, weeks_per_year, months_per_year
        Working days, weeks and months per year, used to annualise volumes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str = ""
    effective_hours: Annotated[float, Field(gt=0, le=8784)]
    days_per_year: Annotated[float, Field(gt=0, le=366)]
    weeks_per_year: Annotated[float, Field(gt=0, le=53)]
    months_per_year: Annotated[float, Field(gt=0, le=12)]

    def per_year(self, period: Period) -> float:
        """How many times ``period`` occurs in a working year."""
        return {
            "day": self.days_per_year,
            "week": self.weeks_per_year,
            "month": self.months_per_year,
            "year": 1.0,
        }[period]

    @property
    def label(self) -> str:
        """Title when given, otherwise the name."""
        return self.title or self.name


#: PermenPANRB 1/2020: 1250 effective hours, 235 days, 47 weeks, 12 months.
PERMENPANRB_2020 = AbkStandard(
    name="permenpanrb2020",
    title="PermenPANRB 1/2020",
    effective_hours=1250,
    days_per_year=235,
    weeks_per_year=47,
    months_per_year=12,
)

#: The older BKN 2011 rule: 1200 effective hours, 240 days, 48 weeks, 12 months.
BKN_2011 = AbkStandard(
    name="bkn2011",
    title="BKN 2011",
    effective_hours=1200,
    days_per_year=240,
    weeks_per_year=48,
    months_per_year=12,
)

#: The named presets, by key.
STANDARDS: Mapping[str, AbkStandard] = {s.name: s for s in (PERMENPANRB_2020, BKN_2011)}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def get_standard(standard: str | AbkStandard) -> AbkStandard:
    """The preset named ``standard`` (or ``standard`` itself when it is one).

    Parameters
    ----------
    standard
        ``permenpanrb2020`` or ``bkn2011``; case, spaces and punctuation are
        ignored (``"PermenPANRB-2020"`` works), as is the regulation number
        (``"PermenPANRB 1/2020"``).

    Raises
    ------
    ValueError
        When the name is not a known preset.
    """
    if isinstance(standard, AbkStandard):
        return standard
    key = _key(standard)
    for preset in STANDARDS.values():
        if key in (preset.name, _key(preset.title)):
            return preset
    known = ", ".join(STANDARDS)
    raise ValueError(f"unknown ABK standard {standard!r}; use one of: {known}")


# ------------------------------------------------------------- pure calculator
def parse_period(value: object) -> Period:
    """Read a period: day/week/month/year or hari/minggu/bulan/tahun.

    Case is ignored, as are a leading ``per`` or ``/`` (``"Per Bulan"``,
    ``"/hari"``) and the adjective forms (``harian``, ``monthly``).

    Raises
    ------
    ValueError
        When the text is not a known period.
    """
    text = re.sub(r"[\s_\-/]+", " ", str(value).lower()).strip()
    text = re.sub(r"^per ", "", text)
    try:
        return PERIOD_ALIASES[text]
    except KeyError:
        raise ValueError(
            "unknown period; use day, week, month or year (hari, minggu, bulan, tahun)"
        ) from None


def periods_per_year(period: Any, standard: str | AbkStandard = PERMENPANRB_2020) -> FloatArray:
    """How often each period occurs in a working year under ``standard``.

    Parameters
    ----------
    period
        One period or an array/sequence of periods (any spelling accepted by
        :func:`parse_period`).
    standard
        The working-time rules (a preset name or an :class:`AbkStandard`).

    Returns
    -------
    FloatArray
        Same shape as ``period``.
    """
    std = get_standard(standard)
    arr = np.asarray(period, dtype=object)
    uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
    factors = np.array([std.per_year(parse_period(p)) for p in uniq], dtype=np.float64)
    return factors[inverse.reshape(arr.shape)]


def _nonneg(values: Any, what: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite numbers")
    if np.any(arr < 0):
        raise ValueError(f"{what} must be 0 or more")
    return arr


def annual_volume(
    volume: Any, period: Any, standard: str | AbkStandard = PERMENPANRB_2020
) -> FloatArray:
    """Volume per year: ``volume × periods_per_year(period)`` elementwise.

    Parameters
    ----------
    volume
        Outputs per period, 0 or more (scalar or array).
    period
        The period of each volume (broadcast against ``volume``).
    standard
        The working-time rules.

    Raises
    ------
    ValueError
        On an unknown period or a negative or non-finite volume.
    """
    return _nonneg(volume, "volumes") * periods_per_year(period, standard)


def task_hours(
    volume: Any, period: Any, minutes: Any, standard: str | AbkStandard = PERMENPANRB_2020
) -> FloatArray:
    """Workload hours per year: ``volume annualised × minutes ÷ 60`` elementwise.

    Parameters
    ----------
    volume
        Outputs per period, 0 or more.
    period
        The period of each volume.
    minutes
        Norma waktu: standard minutes per output, 0 or more.
    standard
        The working-time rules.

    Examples
    --------
    >>> float(task_hours(35, "bulan", 7, BKN_2011))  # 35 × 12 × 7 ÷ 60
    49.0
    """
    return annual_volume(volume, period, standard) * _nonneg(minutes, "minutes") / 60.0


def required_fte(hours: Any, standard: str | AbkStandard | float = PERMENPANRB_2020) -> FloatArray:
    """FTE needed for ``hours`` of yearly workload: ``hours ÷ effective_hours``.

    Parameters
    ----------
    hours
        Workload hours per year (scalar or array).
    standard
        The working-time rules, or the effective hours per FTE-year as a number.

    Examples
    --------
    >>> round(float(required_fte(49, BKN_2011)), 4)
    0.0408
    """
    if isinstance(standard, int | float):
        eff = float(standard)
        if not (math.isfinite(eff) and eff > 0):
            raise ValueError("effective hours must be a positive number")
    else:
        eff = get_standard(standard).effective_hours
    return np.asarray(hours, dtype=np.float64) / eff


# ------------------------------------------------------------ record parsing
def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def _required_text(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("this value is empty; fill it in")
    return text


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _amount(value: Any) -> float:
    """A finite number ≥ 0 from a cell; a decimal comma (``2,5``) is accepted."""
    if _blank(value):
        raise ValueError("this value is empty; fill in a number (0 or more)")
    if isinstance(value, bool):
        raise ValueError("must be a number (0 or more), e.g. 12 or 2,5")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        text = str(value).strip().replace(" ", "")
        if thousands_grouped(text):
            raise ValueError(
                f"{text!r} could be {text} (a decimal point) or {text.replace('.', '')} (a "
                "thousands dot); write the number without a thousands separator, and decimals "
                "with a comma or a point (e.g. 3000 or 2,5)"
            )
        text = decimal_point(text)
        if not _NUMBER.fullmatch(text):
            raise ValueError("must be a number (0 or more), e.g. 12 or 2,5")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError("must be a finite number (0 or more)")
    if number < 0:
        raise ValueError("must not be negative; write 0 or more")
    if number > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT:,}; check the value")
    return number


#: The largest volume or norma waktu (minutes) a task may have: far above any
#: real task, low enough that the hours computed from them stay finite.
MAX_AMOUNT = 1_000_000_000


def _period(value: Any) -> Period:
    if _blank(value):
        raise ValueError("this value is empty; fill in day, week, month or year")
    return parse_period(value)


def _fte(value: Any) -> float:
    if _blank(value):
        return 1.0
    number = _amount(value)
    if not 0 < number <= 1:
        raise ValueError("fte must be more than 0 and at most 1 (1 = full time)")
    return number


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AbkTask(_Record):
    """One task of an ABK sheet (one row).

    Parameters
    ----------
    unit
        Unit kerja the task belongs to (required).
    role
        Jabatan that performs it (``""`` = no roles, one pool).
    task
        Uraian tugas (description, for reading only).
    volume
        Outputs per ``period``, 0 or more.
    period
        ``day``, ``week``, ``month`` or ``year`` (Indonesian names accepted).
    minutes
        Norma waktu: standard minutes per output, 0 or more.
    """

    unit: Annotated[str, BeforeValidator(_required_text)]
    role: Annotated[str, BeforeValidator(_text)] = ""
    task: Annotated[str, BeforeValidator(_text)] = ""
    volume: Annotated[float, BeforeValidator(_amount)]
    period: Annotated[Period, BeforeValidator(_period)]
    minutes: Annotated[float, BeforeValidator(_amount)]

    def hours(self, standard: str | AbkStandard = PERMENPANRB_2020) -> float:
        """Workload hours per year of this task under ``standard``."""
        return float(task_hours(self.volume, self.period, self.minutes, standard))


class StaffMember(_Record):
    """The part of an employee the ABK report needs: unit, role and FTE.

    Parameters
    ----------
    unit
        Unit kerja (required).
    role
        Jabatan (``""`` = no roles).
    fte
        More than 0 and at most 1; blank means 1 (full time).
    """

    unit: Annotated[str, BeforeValidator(_required_text)]
    role: Annotated[str, BeforeValidator(_text)] = ""
    fte: Annotated[float, BeforeValidator(_fte)] = 1.0


class StaffLike(Protocol):
    """Anything with ``unit``, ``role`` and ``fte`` (a :class:`StaffMember` or an Employee)."""

    @property
    def unit(self) -> str:
        """Unit kerja id."""
        ...

    @property
    def role(self) -> str:
        """Jabatan (``""`` = no roles)."""
        ...

    @property
    def fte(self) -> float:
        """FTE in (0, 1]."""
        ...


_R = TypeVar("_R", bound=_Record)


def _resolve_columns(
    headers: Sequence[str],
    columns: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    file: str,
) -> dict[str, str]:
    """Map each known field to the header the user wrote; raise on missing or doubled columns."""
    alias = {a: field for field, names in columns.items() for a in names}
    found: dict[str, str] = {}
    issues: list[InputIssue] = []
    for header in headers:
        field = alias.get(normalise_header(header))
        if field is None:
            continue
        if field in found:
            issues.append(
                InputIssue(
                    file,
                    1,
                    str(header),
                    None,
                    f"columns {found[field]!r} and {header!r} both give the {field}; keep one",
                )
            )
        else:
            found[field] = str(header)
    for field in required:
        if field not in found:
            names = ", ".join(columns[field])
            issues.append(
                InputIssue(
                    file, 1, field, None, f"column {field!r} is missing (accepted names: {names})"
                )
            )
    if issues:
        raise InputError(issues)
    return found


def _shown(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _validate(
    model: type[_R],
    records: Sequence[Mapping[str, Any]],
    found: Mapping[str, str],
    file: str,
    row_numbers: Sequence[int] | None,
) -> tuple[_R, ...]:
    """Validate ``records`` (field → cell); every bad cell becomes one issue."""
    if row_numbers is not None and len(row_numbers) != len(records):
        raise ValueError(f"{len(row_numbers)} row numbers for {len(records)} rows")
    out: list[_R] = []
    issues: list[InputIssue] = []
    for i, data in enumerate(records):
        number = row_numbers[i] if row_numbers is not None else i + 2
        try:
            out.append(model.model_validate(data))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = str(err["loc"][0]) if err.get("loc") else None
                header = found.get(field, field) if field is not None else None
                value = data.get(field) if field is not None else None
                issues.append(InputIssue(file, number, header, _shown(value), clean_message(err)))
    if issues:
        raise InputError(issues)
    return tuple(out)


def _parse_records(
    model: type[_R],
    rows: Iterable[Mapping[str, Any]],
    columns: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    file: str,
    row_numbers: Sequence[int] | None,
) -> tuple[_R, ...]:
    rows = list(rows)
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(str(k) for k in row))
    found = _resolve_columns(list(headers), columns, required, file)
    records = []
    for row in rows:
        raw = {str(k): v for k, v in row.items()}
        records.append({field: raw.get(header) for field, header in found.items()})
    return _validate(model, records, found, file, row_numbers)


def _parse_frame(
    model: type[_R],
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    file: str,
    row_numbers: Sequence[int] | None,
) -> tuple[_R, ...]:
    """Like :func:`_parse_records`, column by column (a doubled header is reported)."""
    headers = [str(c) for c in frame.columns]
    found = _resolve_columns(headers, columns, required, file)
    clean = frame.astype(object).where(frame.notna(), None)
    values = {field: clean.iloc[:, headers.index(h)].tolist() for field, h in found.items()}
    records = [{field: col[i] for field, col in values.items()} for i in range(len(frame))]
    return _validate(model, records, found, file, row_numbers)


def parse_tasks(
    rows: Iterable[Mapping[str, Any]],
    *,
    file: str = "tasks.csv",
    row_numbers: Sequence[int] | None = None,
) -> tuple[AbkTask, ...]:
    """Validate ABK task rows (mappings column → cell) into :class:`AbkTask` records.

    Column names are matched case-insensitively with the aliases in
    :data:`TASK_COLUMNS` (``unit_kerja``, ``jabatan``, ``uraian_tugas``,
    ``jumlah``, ``satuan_waktu``, ``norma_waktu`` …); other columns are ignored.

    Parameters
    ----------
    rows
        One mapping per data row.
    file
        File name used in the issues.
    row_numbers
        Spreadsheet row number of each row; default ``2, 3, …`` (header = 1).

    Raises
    ------
    InputError
        Listing every bad cell (file, row, column, value, message), or the
        missing/doubled columns.
    """
    return _parse_records(AbkTask, rows, TASK_COLUMNS, _TASK_REQUIRED, file, row_numbers)


def parse_staff(
    rows: Iterable[Mapping[str, Any]],
    *,
    file: str = "employees.csv",
    row_numbers: Sequence[int] | None = None,
) -> tuple[StaffMember, ...]:
    """Validate employee rows into :class:`StaffMember` records (unit, role, fte).

    Only the columns of :data:`STAFF_COLUMNS` are read (``unit_kerja`` and
    ``jabatan`` accepted); others such as nip and name are ignored.

    Raises
    ------
    InputError
        Listing every bad cell, or a missing unit column.
    """
    return _parse_records(StaffMember, rows, STAFF_COLUMNS, _STAFF_REQUIRED, file, row_numbers)


def _as_tasks(tasks: Iterable[AbkTask | Mapping[str, Any]], file: str) -> tuple[AbkTask, ...]:
    items = list(tasks)
    if all(isinstance(t, AbkTask) for t in items):
        return tuple(t for t in items if isinstance(t, AbkTask))
    rows = [t.model_dump() if isinstance(t, AbkTask) else t for t in items]
    return parse_tasks(rows, file=file)


# ---------------------------------------------------------------- aggregation
def _group(keys: Sequence[tuple[str, str]]) -> tuple[list[tuple[str, str]], IntArray]:
    """Distinct keys in first-appearance order and each item's group position."""
    pos: dict[tuple[str, str], int] = {}
    inverse = np.fromiter((pos.setdefault(k, len(pos)) for k in keys), np.int64, len(keys))
    return list(pos), inverse


def abk_to_demand(
    tasks: Iterable[AbkTask | Mapping[str, Any]],
    standard: str | AbkStandard = PERMENPANRB_2020,
    *,
    file: str = "tasks.csv",
) -> tuple[Demand, ...]:
    """Sum ABK task hours per (unit, role) into the model's demand rows.

    Parameters
    ----------
    tasks
        :class:`AbkTask` records or raw rows (validated with :func:`parse_tasks`).
    standard
        The working-time rules (preset name or :class:`AbkStandard`).
    file
        File name used in issues when raw rows are validated.

    Returns
    -------
    tuple[Demand, ...]
        One row per (unit, role) in order of first appearance, with
        ``workload_hours`` rounded to :data:`HOURS_DECIMALS` decimals.

    Raises
    ------
    InputError
        When a raw row is invalid (every issue at once).
    """
    items = _as_tasks(tasks, file)
    if not items:
        return ()
    hours = task_hours(
        [t.volume for t in items],
        [t.period for t in items],
        [t.minutes for t in items],
        standard,
    )
    keys, inverse = _group([(t.unit, t.role) for t in items])
    sums = np.round(np.bincount(inverse, weights=hours, minlength=len(keys)), HOURS_DECIMALS)
    too_much = [
        InputIssue(
            file,
            None,
            "volume",
            f"{h:g}",
            f"the tasks of unit {u!r}, role {r!r} add up to {h:,.0f} hours a year, more than "
            f"the {MAX_HOURS:,} a unit's workload may have; check their volume and norma waktu",
        )
        for (u, r), h in zip(keys, sums.tolist(), strict=True)
        if not h <= MAX_HOURS
    ]
    if too_much:
        raise InputError(too_much)
    return tuple(
        Demand(unit=u, role=r, workload_hours=float(h))
        for (u, r), h in zip(keys, sums, strict=True)
    )


# --------------------------------------------------------------------- report
def _json_number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


@dataclass(frozen=True)
class AbkRow:
    """ABK figures of one (unit, role); the staff fields are ``None`` without staff data.

    Attributes
    ----------
    unit, role
        The unit kerja and jabatan (``role == ""`` when there are no roles).
    workload_hours
        ABK workload hours per year.
    required_fte
        FTE the workload needs (``workload_hours ÷ effective_hours``).
    headcount
        Current number of staff.
    staff_fte
        Sum of the current staff's FTE.
    capacity_hours
        Current capacity in whole hours (per employee ``round_half_up(fte × effective_hours)``).
    ej
        Efektivitas jabatan, ``workload_hours ÷ capacity_hours`` (``inf`` without
        staff, ``nan`` when both are 0).
    band
        EJ band ``A``-``E`` (``""`` when EJ is ``nan``).
    """

    unit: str
    role: str
    workload_hours: float
    required_fte: float
    headcount: int | None = None
    staff_fte: float | None = None
    capacity_hours: int | None = None
    ej: float | None = None
    band: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict (``inf``/``nan`` EJ becomes ``None``)."""
        out: dict[str, Any] = {
            "unit": self.unit,
            "role": self.role,
            "workload_hours": self.workload_hours,
            "required_fte": self.required_fte,
        }
        if self.headcount is not None:
            out.update(
                headcount=self.headcount,
                staff_fte=self.staff_fte,
                capacity_hours=self.capacity_hours,
                ej=_json_number(self.ej),
                band=self.band,
            )
        return out


@dataclass(frozen=True)
class AbkReport:
    """ABK workload, FTE need and (with staff) EJ per unit and role.

    Attributes
    ----------
    rows
        One :class:`AbkRow` per (unit, role): demand rows in their order, then
        staffed (unit, role) pairs without workload.
    total
        The same figures over all rows (``unit`` and ``role`` are ``""``).
    standard
        The working-time rules used.
    thresholds
        EJ band thresholds used.
    has_staff
        Whether staff data was given (the staff columns are filled).
    """

    rows: tuple[AbkRow, ...]
    total: AbkRow
    standard: AbkStandard
    thresholds: tuple[float, float, float, float]
    has_staff: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict: standard, thresholds, rows and total."""
        return {
            "standard": self.standard.model_dump(),
            "ej_bands": list(self.thresholds),
            "rows": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict(),
        }

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (staff columns only when staff was given)."""
        columns = ["unit", "role", "workload_hours", "required_fte"]
        if self.has_staff:
            columns += ["headcount", "staff_fte", "capacity_hours", "ej", "band"]
        data = [{c: getattr(r, c) for c in columns} for r in self.rows]
        return pd.DataFrame(data, columns=columns)


def check_bands(thresholds: Sequence[float]) -> tuple[float, float, float, float]:
    """Validate EJ band thresholds: four decreasing positive lower edges of A, B, C, D.

    Raises
    ------
    ValueError
        When there are not four finite numbers, they do not decrease, or the last is
        not positive.
    """
    values = [float(t) for t in thresholds]
    if (
        len(values) != 4
        or not all(math.isfinite(v) for v in values)
        or any(b2 >= b1 for b1, b2 in pairwise(values))
        or not values[-1] > 0
    ):
        raise ValueError(
            "EJ band thresholds must be four decreasing positive numbers (lower edges of "
            "A, B, C, D), e.g. 1.0 0.9 0.7 0.5"
        )
    return values[0], values[1], values[2], values[3]


def abk_report(
    demand: Iterable[Demand],
    standard: str | AbkStandard = PERMENPANRB_2020,
    *,
    staff: Iterable[StaffLike] | None = None,
    thresholds: Sequence[float] = DEFAULT_BANDS,
) -> AbkReport:
    """Workload, FTE need and — with staff — capacity, EJ and band per (unit, role).

    Parameters
    ----------
    demand
        Workload rows, e.g. from :func:`abk_to_demand`.
    standard
        The working-time rules: effective hours for FTE need and capacity.
    staff
        Current employees (anything with ``unit``, ``role`` and ``fte``:
        :class:`StaffMember` or :class:`~mutasi_opt.domain.problem.Employee`).
        Staffed pairs without demand get a row with 0 workload.
    thresholds
        Lower edges of bands A, B, C, D (see :func:`mutasi_opt.metrics.band`).

    Returns
    -------
    AbkReport
    """
    std = get_standard(standard)
    bands = check_bands(thresholds)
    dem = list(demand)
    people = None if staff is None else list(staff)
    keys = [(d.unit, d.role) for d in dem]
    if people is not None:
        keys += [(p.unit, p.role) for p in people]
    pairs, inverse = _group(keys)
    n = len(pairs)
    work = np.bincount(
        inverse[: len(dem)], weights=[d.workload_hours for d in dem], minlength=n
    ).astype(np.float64)
    work = np.round(work, HOURS_DECIMALS)
    need = required_fte(work, std)

    def total_row(**staff_fields: Any) -> AbkRow:
        hours = round(float(work.sum()), HOURS_DECIMALS)
        return AbkRow("", "", hours, float(required_fte(hours, std)), **staff_fields)

    if people is None:
        rows = tuple(
            AbkRow(u, r, float(w), float(f)) for (u, r), w, f in zip(pairs, work, need, strict=True)
        )
        return AbkReport(rows, total_row(), std, bands, has_staff=False)

    at = inverse[len(dem) :]
    fte = np.array([float(p.fte) for p in people], dtype=np.float64)
    heads = np.bincount(at, minlength=n).astype(np.int64)
    staff_fte = np.round(np.bincount(at, weights=fte, minlength=n), HOURS_DECIMALS)
    cap = np.bincount(
        at, weights=metrics.fte_capacity_hours(fte, std.effective_hours), minlength=n
    ).astype(np.int64)
    ej = metrics.ej(work, cap)
    band = metrics.band(ej, bands)
    rows = tuple(
        AbkRow(
            unit=u,
            role=r,
            workload_hours=float(work[i]),
            required_fte=float(need[i]),
            headcount=int(heads[i]),
            staff_fte=float(staff_fte[i]),
            capacity_hours=int(cap[i]),
            ej=float(ej[i]),
            band=str(band[i]),
        )
        for i, (u, r) in enumerate(pairs)
    )
    total_ej = metrics.ej(work.sum(), cap.sum())
    total = total_row(
        headcount=int(heads.sum()),
        staff_fte=round(float(fte.sum()), HOURS_DECIMALS),
        capacity_hours=int(cap.sum()),
        ej=float(total_ej),
        band=str(metrics.band(total_ej, bands)),
    )
    return AbkReport(rows, total, std, bands, has_staff=True)


# ----------------------------------------------------------- table helpers
def tasks_from_frame(
    frame: pd.DataFrame, *, file: str = "tasks.csv", row_numbers: Sequence[int] | None = None
) -> tuple[AbkTask, ...]:
    """Validate a task-sheet DataFrame into :class:`AbkTask` records.

    Column names are matched as in :func:`parse_tasks`.

    Parameters
    ----------
    frame
        One row per task.
    file
        File name used in the issues.
    row_numbers
        Spreadsheet row number of each row; default ``2, 3, …`` by position
        (as if the frame were written to CSV).

    Raises
    ------
    InputError
        Listing every bad cell, or missing/doubled columns.
    """
    return _parse_frame(AbkTask, frame, TASK_COLUMNS, _TASK_REQUIRED, file, row_numbers)


def abk_demand_frame(
    tasks: pd.DataFrame, standard: str | AbkStandard = PERMENPANRB_2020, *, file: str = "tasks.csv"
) -> pd.DataFrame:
    """The demand table (``unit, role, workload_hours``) of a task-sheet DataFrame.

    Raises
    ------
    InputError
        Listing every bad cell of ``tasks``.
    """
    demand = abk_to_demand(tasks_from_frame(tasks, file=file), standard)
    return pd.DataFrame(
        [d.model_dump() for d in demand], columns=["unit", "role", "workload_hours"]
    )


# ------------------------------------------------------------------ readers
def _read(path: str | Path, what: str) -> tuple[pd.DataFrame, list[int], str]:
    """A CSV/XLSX table as text (:func:`mutasi_opt.io.read_table`) with its row numbers."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", str(p))
    frame = read_table(p)
    if not len(frame):
        raise InputError([InputIssue(p.name, None, None, None, f"there are no {what}; add rows")])
    if frame.attrs.get("decimal_comma"):
        _decimal_comma_numbers(frame, p.name)
    return frame, [int(r) for r in frame.index], p.name


#: The number columns of task sheets and staff files.
_NUMBER_COLUMNS = frozenset(
    normalise_header(name)
    for field in ("volume", "minutes", "fte")
    for name in {**TASK_COLUMNS, **STAFF_COLUMNS}[field]
)


def _decimal_comma_numbers(frame: pd.DataFrame, file: str) -> None:
    """The number columns of a ``;`` file in decimal-point text, in place
    (``3.000`` is 3000, ``2,5`` is 2.5); ambiguous cells are refused."""
    issues: list[InputIssue] = []
    for header in frame.columns:
        if normalise_header(header) not in _NUMBER_COLUMNS:
            continue
        written = frame[header].tolist()
        texts, refused = decimal_comma_column(written)
        frame[header] = pd.Series(texts, index=frame.index, dtype=object)
        for i, message in sorted(refused.items()):
            row = int(frame.index[i])
            issues.append(InputIssue(file, row, str(header), str(written[i]), message))
    if issues:
        raise InputError(issues)


def read_tasks(path: str | Path) -> tuple[AbkTask, ...]:
    """Read and validate an ABK task sheet (CSV or XLSX).

    The file is read as text by :func:`mutasi_opt.io.read_table` (encoding,
    delimiter and blank rows handled there); row numbers in issues are the
    spreadsheet rows (header = row 1).

    Raises
    ------
    InputError
        Listing every bad cell, with the file name, row and column.
    FileNotFoundError
        When ``path`` does not exist.
    """
    frame, numbers, name = _read(path, "tasks")
    return tasks_from_frame(frame, file=name, row_numbers=numbers)


def read_staff(path: str | Path) -> tuple[StaffMember, ...]:
    """Read the unit, role and fte of every employee in an employees file (CSV or XLSX).

    Raises
    ------
    InputError
        Listing every bad cell.
    FileNotFoundError
        When ``path`` does not exist.
    """
    frame, numbers, name = _read(path, "employees")
    return _parse_frame(StaffMember, frame, STAFF_COLUMNS, _STAFF_REQUIRED, name, numbers)
