"""The independent secondment checker flags every broken rule, and only those."""

from __future__ import annotations

import pytest

from mutasi_opt import Demand, Employee, Policy, Problem, Surge, Unit
from mutasi_opt.planning.check import check_secondments


def _problem(**policy: object) -> Problem:
    staff = [
        Employee(nip="N1", unit="U0", role="perawat", competencies={"vaksinasi": 3}),
        Employee(nip="N2", unit="U0", role="perawat", competencies={"vaksinasi": 1}),
        Employee(nip="N3", unit="U0", role="pelaksana", locked=True),
        Employee(nip="N4", unit="U0", role="perawat", employment_type="PPPK"),
        Employee(
            nip="N5",
            unit="U1",
            role="perawat",
            months_in_unit=2,
            refused_units=("PKM",),
            competencies={"vaksinasi": 2},
        ),
    ]
    staff += [Employee(nip=f"F{i}", unit="U0", role="pelaksana") for i in range(5)]
    return Problem(
        employees=tuple(staff),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="PKM")),
        demand=(
            Demand(unit="U0", role="perawat", workload_hours=1000),
            Demand(unit="U0", role="pelaksana", workload_hours=1000),
            Demand(unit="U1", role="perawat", workload_hours=1000),
        ),
        policy=Policy(**policy),  # type: ignore[arg-type]
    )


SURGES = (
    Surge(
        surge="V",
        unit="PKM",
        role="perawat",
        competency="vaksinasi",
        min_level=2,
        start="2026-04",
        end="2026-06",
        extra_fte=1,
    ),
    Surge(surge="R", unit="U1", start="2026-05", end="2026-12", extra_fte=0.5),
    Surge(surge="B", unit="U1", start="2026-05", end="2026-05", extra_fte=5),
)


def rec(
    nip: str,
    surge: str = "V",
    start: str = "2026-04",
    end: str = "2026-05",
    host: str | None = None,
) -> dict[str, str]:
    unit = {"V": "PKM", "R": "U1", "B": "U1"}.get(surge, "PKM") if host is None else host
    return {"nip": nip, "surge": surge, "host_unit": unit, "start": start, "end": end}


def test_a_valid_secondment_passes() -> None:
    assert check_secondments(_problem(), SURGES, [rec("N1")]) == []


CASES = [
    ([rec("X9")], {}, "unknown_employee"),
    ([rec("N1", surge="Q")], {}, "unknown_surge"),
    ([rec("N1", host="U1")], {}, "wrong_host"),
    ([rec("N1", start="2026-03")], {}, "window"),
    ([rec("N1", start="2026-05", end="2026-04")], {}, "window"),
    ([rec("F0", surge="R", start="2026-05", end="2026-12")], {}, "too_long"),
    (
        [rec("N1"), rec("N1", surge="R", start="2026-05", end="2026-05")],
        {"max_secondments_per_employee": 2, "max_lent_fraction": 1.0},
        "overlap",
    ),
    ([rec("N1"), rec("N1", surge="R", start="2026-07", end="2026-07")], {}, "too_many"),
    ([rec("N3", surge="R", start="2026-05", end="2026-05")], {}, "locked"),
    ([rec("N4", surge="R", start="2026-05", end="2026-05")], {}, "pppk"),
    (
        [rec("F0", surge="R", start="2026-05", end="2026-05")],
        {"secondment_min_months_in_unit": 12, "max_lent_fraction": 1.0},
        None,
    ),
    ([rec("N5")], {"max_lent_fraction": 1.0}, "refused_unit"),
    (
        [rec("N5", surge="R", start="2026-05", end="2026-05")],
        {"max_lent_fraction": 1.0},
        "own_unit",
    ),
    ([rec("F1")], {}, {"role", "competency"}),
    ([rec("N2")], {}, "competency"),
    (
        [rec(f"F{i}", surge="B", start="2026-05", end="2026-05") for i in range(2)],
        {},
        "lent_fraction",
    ),
    (
        [
            rec("F0", surge="R", start="2026-05", end="2026-05"),
            rec("F1", surge="R", start="2026-05", end="2026-05"),
        ],
        {"max_lent_fraction": 1.0},
        "over_cover",
    ),
]


@pytest.mark.parametrize(("records", "policy", "kind"), CASES)
def test_each_rule_is_flagged(
    records: list[dict[str, str]], policy: dict[str, object], kind: str | set[str] | None
) -> None:
    found = {v.kind for v in check_secondments(_problem(**policy), SURGES, records)}
    want = set() if kind is None else {kind} if isinstance(kind, str) else kind
    assert found == want


def test_tenure_counts_months_in_the_unit() -> None:
    p = _problem(secondment_min_months_in_unit=12, max_lent_fraction=1.0)
    found = {v.kind for v in check_secondments(p, SURGES, [rec("N5", surge="V")])}
    assert "tenure" in found
    # someone the permanent plan moved has 0 months in the new unit
    moved = {
        v.kind
        for v in check_secondments(
            p, SURGES, [rec("F0", surge="R", start="2026-05", end="2026-05")], base={"F0": "PKM"}
        )
    }
    assert "tenure" in moved
