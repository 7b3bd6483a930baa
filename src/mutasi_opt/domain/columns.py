"""The output tables, each defined once: its columns, their value types and meaning.

A :class:`Table` is a tuple of :class:`Column` specs.  Everything that shows
a result table derives from it:

* the record builders (``Plan.move_records`` and the others) produce exactly
  its column names, in order (``tests/test_columns.py`` checks);
* the CSV files (:mod:`mutasi_opt.io.plans`) and the DataFrames
  (:func:`mutasi_opt.io.records.records_frame`: columns and dtypes) use its
  order and :attr:`Column.dtype`;
* the Excel report (:mod:`mutasi_opt.views.report`) its order and display units;
* the JSON row models of the plan document (:mod:`mutasi_opt.io.documents`:
  ``AssignmentRow``, ``MoveRow``, ``UnitRow``, ``TrainingRow``) are generated
  from it: field order, types and descriptions.

The module sits in ``domain`` because every layer that shows a table (text,
results, io, views, batch) reads it; it imports nothing.  The *input* tables
of a data folder are described in :mod:`mutasi_opt.io.columns`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

__all__ = [
    "ASSIGNMENT",
    "BATCH_SUMMARY",
    "BLOCKING_PAIRS",
    "CHANGES",
    "COVERAGE",
    "DONORS",
    "FRONTIER",
    "MOVES",
    "NOTICES",
    "OUTCOMES",
    "SCENARIOS",
    "SECONDMENTS",
    "TRAINING",
    "TRAINING_TOTALS",
    "UNITS",
    "Column",
    "Table",
]

#: The value types a column can hold.
ValueType = type[str] | type[int] | type[float] | type[bool]

_DTYPES: dict[type, str] = {bool: "bool", int: "int64", float: "float64"}


@dataclass(frozen=True)
class Column:
    """One column of an output table.

    Attributes
    ----------
    name
        Column name (CSV header, DataFrame column, JSON field).
    type
        Value type: ``str``, ``int``, ``float`` or ``bool``.
    description
        What the column holds (the JSON Schema's field description; ``""``: none).
    nullable
        Whether a value may be missing (``None``; empty in a CSV file).
    unit
        Display unit (``hours``, ``FTE``, ``EJ``, ``months``), or None.
    choices
        The values a text column can take (empty: any text).
    infinite
        Whether a ``float`` may be infinite (an EJ with workload but no staff;
        the JSON documents write it as ``"inf"``).
    frame_dtype
        The DataFrame dtype when not the one of :attr:`dtype`'s rule.
    """

    name: str
    type: ValueType
    description: str = ""
    nullable: bool = False
    unit: str | None = None
    choices: tuple[str, ...] = ()
    infinite: bool = False
    frame_dtype: str | None = None

    @property
    def dtype(self) -> str | None:
        """The pandas dtype of the column in a DataFrame, or None where pandas infers it.

        ``bool``, ``int64`` and ``float64`` (missing values are NaN); a nullable
        ``int`` is inferred (``int64``, or ``float64`` when a value is missing),
        text is pandas' text dtype.  :attr:`frame_dtype` overrides the rule.
        """
        if self.frame_dtype is not None:
            return self.frame_dtype
        if self.type is int and self.nullable:
            return None
        return _DTYPES.get(self.type)

    @property
    def empty_dtype(self) -> str:
        """The dtype of the column in a DataFrame without rows."""
        if self.dtype is not None:
            return self.dtype
        return "float64" if self.type is int else "object"

    def described(self, description: str) -> Column:
        """The same column with another description."""
        return replace(self, description=description)


@dataclass(frozen=True)
class Table:
    """An output table: its name, what one row is, and its columns in order."""

    name: str
    description: str
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        if len(set(self.names)) != len(self.columns):
            raise ValueError(f"table {self.name}: a column name repeats")

    @property
    def names(self) -> tuple[str, ...]:
        """The column names in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


# ------------------------------------------------------------- shared columns
_NIP = Column("nip", str, "Employee number (NIP).")
_NAME = Column("name", str)
_ROLE = Column("role", str, 'Role (jabatan); "" when employees have no role.')
_UNIT_ID = Column("unit", str, "Unit id.")
_EJ = Column(
    "ej",
    float,
    'EJ = workload hours ÷ capacity hours; "inf" with workload but no staff, null with neither.',
    nullable=True,
    unit="EJ",
    infinite=True,
)
_BAND = Column(
    "band",
    str,
    'EJ band (A overloaded … E underloaded; "" when EJ is null).',
    choices=("A", "B", "C", "D", "E", ""),
)


def _named(column: Column, name: str) -> Column:
    return replace(column, name=name)


# ----------------------------------------------------------------- the plan
ASSIGNMENT = Table(
    "assignment",
    "One employee's unit before and after the plan (``assignment.csv``).",
    (
        _NIP,
        _NAME,
        _ROLE,
        _named(_UNIT_ID, "unit_before"),
        _named(_UNIT_ID, "unit_after"),
        Column("moved", bool),
    ),
)

MOVES = Table(
    "moves",
    "One move with its reason (``moves.csv``).",
    (
        _NIP,
        _NAME,
        _ROLE,
        Column("unit_before", str, "The unit the employee leaves."),
        Column("unit_after", str, "The unit the employee joins."),
        _named(_EJ, "ej_from_before"),
        _named(_EJ, "ej_from_after"),
        _named(_EJ, "ej_to_before"),
        _named(_EJ, "ej_to_after"),
        Column(
            "requirements_covered",
            str,
            "Competency requirements the move helps cover or leaves short.",
        ),
        Column(
            "preference_rank",
            int,
            "Rank of the new unit among the preferred units (1 = first), or null.",
            nullable=True,
        ),
        Column(
            "months_in_unit",
            int,
            "Months in the old unit (null when not given).",
            nullable=True,
            unit="months",
        ),
        Column("reason", str, "Why the move, in words (English)."),
    ),
)

UNITS = Table(
    "units",
    "One unit and role before and after the plan (``units.csv``).",
    (
        _UNIT_ID,
        Column("unit_name", str),
        _ROLE,
        Column("workload_hours", int, "Workload hours per year (whole hours).", unit="hours"),
        Column("capacity_before", int, "Staff hours per year before the plan.", unit="hours"),
        Column("capacity_after", int, "Staff hours per year after the plan.", unit="hours"),
        Column(
            "fair_share_hours",
            float,
            "The capacity the unit would have if every EJ were equal.",
            unit="hours",
        ),
        _named(_EJ, "ej_before"),
        _named(_EJ, "ej_after"),
        _named(_BAND, "band_before"),
        _named(_BAND, "band_after"),
    ),
)

TRAINING = Table(
    "training",
    "One training need (``training.csv``).",
    (
        _NIP,
        _NAME,
        Column("unit", str, "The unit (after the plan) whose requirement it is."),
        Column("competency", str),
        Column("level_now", int, "Level held now (0 when not held)."),
        Column("level_needed", int, "The requirement's min_level."),
        Column(
            "cause",
            str,
            "move: a mover below a level their new unit requires; requirement: "
            "near-qualified staff counted toward a requirement (trainable_gap > 0).",
            choices=("move", "requirement"),
        ),
    ),
)

TRAINING_TOTALS = Table(
    "training_totals",
    "People to train per competency and needed level.",
    (
        Column("competency", str),
        Column("level_needed", int, "The requirements' min_level."),
        Column("people", int, "People to train to that level."),
    ),
)

# ------------------------------------------------------------ secondments
_MONTH = Column("month", str, "Month (YYYY-MM).")

SECONDMENTS = Table(
    "secondments",
    "One secondment with its reason (``secondments.csv``).",
    (
        _NIP,
        _NAME,
        Column("home_unit", str, "The unit the employee is lent from."),
        Column("host_unit", str, "The unit of the surge."),
        Column("surge", str, "The surge id."),
        _named(_MONTH, "start").described("First month of the secondment (YYYY-MM)."),
        _named(_MONTH, "end").described("Last month of the secondment (YYYY-MM)."),
        Column("reason", str, "Why the secondment, in words (English)."),
    ),
)

COVERAGE = Table(
    "coverage",
    "One surge and month of its window (``coverage.csv``).",
    (
        Column("surge", str, "The surge id."),
        _MONTH,
        Column("needed_fte", float, "FTE the surge needs in the month.", unit="FTE"),
        Column("covered_fte", float, "FTE seconded to it in the month.", unit="FTE"),
        Column("uncovered_fte", float, "FTE still missing.", unit="FTE"),
    ),
)

DONORS = Table(
    "donors",
    "One unit, role and month that lends staff (``donors.csv``).",
    (
        _UNIT_ID,
        _ROLE,
        _MONTH,
        Column("capacity_before", float, "Staff hours per year before lending.", unit="hours"),
        Column("capacity_after", float, "Staff hours per year while lending.", unit="hours"),
        _named(_EJ, "ej_before"),
        _named(_EJ, "ej_after"),
    ),
)

# ---------------------------------------------------------------- frontier
FRONTIER = Table(
    "frontier",
    "The optimum under one move budget (``frontier.csv``).",
    (
        Column("budget", int, "The move budget (max_moves)."),
        Column("moves", int, "Moves of the plan."),
        Column("shortfall", int, "Competency shortfall (staff)."),
        Column("imbalance_hours", float, "Imbalance D.", unit="hours"),
        Column("imbalance_bound_hours", float, "Proven lower bound of D.", unit="hours"),
        Column(
            "reduction",
            float,
            "Share of the achievable reduction of D, or null.",
            nullable=True,
        ),
        Column("balance_cost", float, "Balance cost B.", unit="hours"),
        Column("balance_bound", float, "Proven lower bound of B.", unit="hours"),
        Column("balance_gap", float, "Relative gap of B."),
        Column("preference_cost", int, "Preference cost (points)."),
        Column("status", str, "Status of the point's plan."),
        Column("seconds", float, "Seconds of the point's solve."),
        Column("work", float, "Work units of the point's solve."),
        Column(
            "overdue",
            int,
            "Staff the plan leaves in their unit although overdue for rotation (more than "
            "overdue_months there; PP 11/2017 Pasal 190).",
        ),
    ),
)

# ------------------------------------------------------------------ batch
#: What every batch row says about one solve (plan numbers from ``Plan.summary``).
_OUTCOME = (
    Column("status", str, "Plan status, or invalid / crashed."),
    Column("error_kind", str, "The kind of error, or null.", nullable=True),
    Column("shortfall", int, "Competency shortfall (staff).", nullable=True),
    Column("imbalance_hours", float, "Imbalance D.", nullable=True, unit="hours"),
    Column("balance_cost", float, "Balance cost B.", nullable=True, unit="hours"),
    Column("balance_gap", float, "Relative gap of B.", nullable=True),
    Column("moves", int, "Moves of the plan.", nullable=True),
    Column("preference_cost", int, "Preference cost (points).", nullable=True),
    Column("seconds", float, "Seconds of the solve."),
)

BATCH_SUMMARY = Table(
    "summary",
    "One region of a batch (``summary.csv`` of ``mutasi-opt batch``).",
    (
        Column("region", str, "The region's name."),
        *_OUTCOME[:3],
        Column("imbalance_hours_before", float, "D before the plan.", nullable=True, unit="hours"),
        *_OUTCOME[3:],
        Column("message", str, "What went wrong, or empty."),
    ),
)

SCENARIOS = Table(
    "scenarios",
    "One scenario of a scenario grid.",
    (
        Column("scenario", str, "The scenario's name."),
        Column("policy", str, "The policy variant."),
        Column(
            "max_moves",
            int,
            "The move budget, or null (no limit).",
            nullable=True,
            frame_dtype="Int64",  # no limit is <NA>, not NaN
        ),
        *_OUTCOME,
    ),
)


# -------------------------------------------------------- consultation rounds
CHANGES = Table(
    "changes",
    "One employee whose unit in the revised plan differs from the draft's, and why "
    "(``changes.csv``).",
    (
        _NIP,
        _NAME,
        _ROLE,
        Column("unit_before", str, "The employee's unit now."),
        Column("draft_unit", str, "The unit the draft plan gave them."),
        Column("unit_after", str, "The unit the revised plan gives them."),
        Column(
            "response",
            str,
            'Their response to the draft ("" when they gave none).',
            choices=("accept", "object", "prefer", ""),
        ),
        Column(
            "cause",
            str,
            "objection: they objected to the draft's decision; preference: they asked for "
            "other units; rebalance: the plan changed around others' responses.",
            choices=("objection", "preference", "rebalance"),
        ),
        Column("reason", str, "What changed and why, in words."),
    ),
)

OUTCOMES = Table(
    "outcomes",
    "What became of one employee's response to the draft, and why "
    "(``outcomes.csv``: one row per response).",
    (
        _NIP,
        _NAME,
        _ROLE,
        Column(
            "response",
            str,
            "Their response to the draft.",
            choices=("accept", "object", "prefer"),
        ),
        Column("units", str, 'The units they listed ("U1;U2"; "" when none).'),
        Column("unit_before", str, "The employee's unit now."),
        Column("draft_unit", str, "The unit the draft plan gave them."),
        Column("unit_after", str, 'The unit the revised plan gives them ("" without a plan).'),
        Column(
            "outcome",
            str,
            "kept: the accepted decision stands; honoured: the objected unit is not "
            "theirs; granted: they get one of the units they asked for; not_granted: "
            "they do not; no_plan: the revised problem has no plan.",
            choices=("kept", "honoured", "granted", "not_granted", "no_plan"),
        ),
        Column(
            "choice",
            int,
            "For a granted preference: the rank of the unit they get among those they "
            "listed (1 = first); empty otherwise.",
            nullable=True,
            frame_dtype="Int64",
        ),
        Column(
            "reason",
            str,
            "Why, in words (for a preference not granted: what the "
            "move would do to the plan, or the rule that forbids it).",
        ),
    ),
)

NOTICES = Table(
    "notices",
    "One employee's notice of the draft decision, for a consultation round "
    "(``notices.csv``; the text in Bahasa Indonesia).",
    (
        _NIP,
        _NAME,
        _ROLE,
        Column("unit_before", str, "The employee's unit now."),
        Column("unit_after", str, "The unit the draft gives them."),
        Column("moved", bool, "Whether the draft moves them."),
        Column(
            "months_in_unit",
            int,
            "Months in the current unit (null when not known).",
            nullable=True,
            unit="months",
            frame_dtype="Int64",
        ),
        Column(
            "preference_rank",
            int,
            "The rank of the new unit in their own list (1 = first choice), null when not listed.",
            nullable=True,
            frame_dtype="Int64",
        ),
        _named(_EJ, "ej_to_before").described("EJ of the new unit (their role) before the plan."),
        _named(_EJ, "ej_to_after").described("EJ of the new unit (their role) after the plan."),
        _named(_EJ, "ej_from_before").described("EJ of their unit (their role) before the plan."),
        _named(_EJ, "ej_from_after").described("EJ of their unit (their role) after the plan."),
        Column(
            "competencies_brought",
            str,
            "Competencies the new unit requires that they hold (code:level; separated by ';').",
        ),
        Column("training", str, "Training offered: competency and level needed (';')."),
        Column("reason", str, "Why, in Bahasa Indonesia."),
        Column("how_to_respond", str, "How to respond, in Bahasa Indonesia."),
        Column("letter", str, "The whole notice as a letter, in Bahasa Indonesia."),
    ),
)

BLOCKING_PAIRS = Table(
    "blocking_pairs",
    "An employee with justified envy: they listed a unit, end elsewhere than it or a unit "
    "they ranked higher, and someone of their role with fewer priority points is moved "
    "there (``blocking_pairs.csv``).",
    (
        _NIP,
        _NAME,
        Column("unit", str, "The unit they listed and did not get."),
        Column("rank", int, "Its rank in their list (1 = first choice)."),
        Column("priority", float, "Their priority points."),
        Column("unit_after", str, "Where the plan puts them."),
        Column("other_nip", str, "The employee moved to the unit in their place."),
        Column("other_priority", float, "That employee's priority points."),
        Column(
            "other_rank",
            int,
            "The unit's rank in that employee's list (null when they did not list it).",
            nullable=True,
            frame_dtype="Int64",
        ),
    ),
)
