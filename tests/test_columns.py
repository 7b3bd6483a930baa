"""Every output table is defined once (mutasi_opt.domain.columns): the records, the
CSV header, the DataFrame (columns and dtypes) and the JSON row model agree with it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutasi_opt as mo
from mutasi_opt import Plan, solve
from mutasi_opt.batch import SCENARIO_COLUMNS, SUMMARY_COLUMNS, summary_record
from mutasi_opt.domain import columns
from mutasi_opt.domain.columns import BATCH_SUMMARY, Column, Table
from mutasi_opt.io.documents import AssignmentRow, MoveRow, TrainingRow, UnitRow, plan_to_json
from mutasi_opt.io.plans import write_plan, write_surge_plan
from mutasi_opt.io.records import records_frame
from mutasi_opt.planning.surges import plan_surges
from mutasi_opt.results.surge import SurgePlan
from mutasi_opt.sample import load_sample_surges

TABLES = [getattr(columns, name) for name in columns.__all__ if name.isupper()]

#: The plan's tables: the spec, its records and its DataFrame.
PLAN_TABLES: dict[str, tuple[Table, Callable[[Plan], list[dict[str, Any]]], str]] = {
    "assignment": (columns.ASSIGNMENT, Plan.assignment_records, "assignment"),
    "moves": (columns.MOVES, Plan.move_records, "moves"),
    "units": (columns.UNITS, Plan.unit_records, "unit_table"),
    "training": (columns.TRAINING, Plan.training_records, "training"),
    "training_totals": (columns.TRAINING_TOTALS, Plan.training_total_records, "training_totals"),
}
ROW_MODELS = {
    "assignment": AssignmentRow,
    "moves": MoveRow,
    "units": UnitRow,
    "training": TrainingRow,
}
SURGE_TABLES: dict[str, tuple[Table, Callable[[SurgePlan], list[dict[str, Any]]], str]] = {
    "secondments": (columns.SECONDMENTS, SurgePlan.secondment_records, "secondments"),
    "coverage": (columns.COVERAGE, SurgePlan.coverage_records, "coverage"),
    "donors": (columns.DONORS, SurgePlan.donor_records, "donors"),
}


@pytest.fixture(scope="module")
def sample_plan() -> Plan:
    plan = solve(mo.load_sample(), work_limit=0.3, workers=1)
    assert plan.has_solution
    return plan


@pytest.fixture(scope="module")
def surge_plan(sample_plan: Plan) -> SurgePlan:
    problem = sample_plan.problem
    return plan_surges(problem, load_sample_surges(), workers=1, work_limit=0.5)


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def _check_dtypes(frame: pd.DataFrame, table: Table) -> None:
    for c in table:
        if c.dtype is not None:
            assert str(frame[c.name].dtype) == c.dtype, (table.name, c.name)


# ----------------------------------------------------------------- the specs
@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_is_well_formed(table: Table) -> None:
    assert table.names and len(set(table.names)) == len(table.names)
    assert table.description
    for c in table:
        assert c.type in (str, int, float, bool)
        assert not c.choices or c.type is str
        assert not c.infinite or c.type is float
        assert table.column(c.name) is c


def test_a_table_rejects_repeated_names() -> None:
    with pytest.raises(ValueError, match="repeats"):
        Table("t", "x", (Column("a", str), Column("a", int)))


def test_the_column_tuples_are_the_tables_names() -> None:
    from mutasi_opt.frontier import FRONTIER_COLUMNS
    from mutasi_opt.results import plan
    from mutasi_opt.text.explain import MOVE_COLUMNS

    pairs = [
        (MOVE_COLUMNS, columns.MOVES),
        (plan.MOVE_COLUMNS, columns.MOVES),
        (plan.UNIT_COLUMNS, columns.UNITS),
        (plan.TRAINING_COLUMNS, columns.TRAINING),
        (plan.TRAINING_TOTAL_COLUMNS, columns.TRAINING_TOTALS),
        (plan.ASSIGNMENT_COLUMNS, columns.ASSIGNMENT),
        (FRONTIER_COLUMNS, columns.FRONTIER),
        (SUMMARY_COLUMNS, BATCH_SUMMARY),
        (SCENARIO_COLUMNS, columns.SCENARIOS),
    ]
    for names, table in pairs:
        assert names == table.names, table.name


# ------------------------------------------------------------------ the plan
@pytest.mark.parametrize("name", list(PLAN_TABLES))
def test_plan_records_csv_frame_and_json_agree(
    sample_plan: Plan, name: str, tmp_path: Path
) -> None:
    table, records_of, attribute = PLAN_TABLES[name]
    names = list(table.names)
    records = records_of(sample_plan)
    assert records, name  # the sample has rows in every table
    assert all(list(r) == names for r in records)
    frame = getattr(sample_plan, attribute)
    assert list(frame.columns) == names
    _check_dtypes(frame, table)
    write_plan(sample_plan, tmp_path)
    if name != "training_totals":  # not a file
        assert _header(tmp_path / f"{table.name}.csv") == names
    if name in ROW_MODELS:
        model = ROW_MODELS[name]
        assert list(model.model_fields) == names
        assert model.__doc__ == table.description
        for c in table:
            assert (model.model_fields[c.name].description or "") == c.description
        for row in plan_to_json(sample_plan)[name]:
            assert list(model.model_validate(row).model_dump()) == names


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_an_empty_table_has_the_columns_and_dtypes(table: Table) -> None:
    frame = records_frame([], table)
    assert frame.empty and list(frame.columns) == list(table.names)
    for c in table:
        assert str(frame[c.name].dtype) == c.empty_dtype


# ------------------------------------------------------------- secondments
@pytest.mark.parametrize("name", list(SURGE_TABLES))
def test_surge_records_csv_and_frame_agree(
    surge_plan: SurgePlan, name: str, tmp_path: Path
) -> None:
    table, records_of, attribute = SURGE_TABLES[name]
    names = list(table.names)
    records = records_of(surge_plan)
    assert records, name
    assert all(list(r) == names for r in records)
    frame = getattr(surge_plan, attribute)
    assert list(frame.columns) == names
    _check_dtypes(frame, table)
    write_surge_plan(surge_plan, tmp_path)
    assert _header(tmp_path / f"{table.name}.csv") == names


def test_batch_summary_record_has_the_columns(sample_plan: Plan) -> None:
    assert list(summary_record(sample_plan, "x")) == list(BATCH_SUMMARY.names)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"n": st.one_of(st.none(), st.integers(-5, 5)), "x": st.floats(allow_nan=True)}
        ),
        max_size=5,
    )
)
def test_frames_take_the_spec_dtypes(records: list[dict[str, Any]]) -> None:
    table = Table(
        "t",
        "x",
        (Column("n", int, nullable=True, frame_dtype="Int64"), Column("x", float, nullable=True)),
    )
    frame = records_frame(records, table)
    assert list(frame.columns) == ["n", "x"]
    assert str(frame["n"].dtype) == "Int64" and str(frame["x"].dtype) == "float64"
    assert [None if pd.isna(v) else v for v in frame["n"]] == [r["n"] for r in records]
