"""The rules of a real round (issue 16) against brute force: pairs of relatives and
couples, retirements (BUP), inactive staff and blackout periods.

The brute force (``tests/problems.py``) enumerates every assignment within the
allowed units and keeps those meeting the rules, written out by hand (not by the
checker or the solver): headcount bounds, the move budget, and the pairs' rules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import mutasi_opt as mo
import problems
from mutasi_opt import InputError, Problem, check_plan, metrics
from mutasi_opt.domain.problem import Pair
from mutasi_opt.domain.values import add_months, month_label
from mutasi_opt.plan import PlanStatus
from mutasi_opt.planning.check import check_secondments
from mutasi_opt.planning.surges import plan_surges
from mutasi_opt.sample import load_sample_surges
from problems import first_seed, random_problem
from surge_problems import brute_force_surges, random_surge_problem

PLAN_DATE = dt.date(2026, 7, 1)


def brute_force(problem: Problem) -> tuple[int, ...] | None:
    """The lexicographic optimum over every assignment meeting the rules (the shared
    brute force of ``tests/problems.py``, which writes the pairs' rules out by hand)."""
    return problems.brute_force(problem)[0]


def with_pairs(seed: int) -> Problem:
    """A random problem with two pairs (one of each kind, or random kinds) and
    areas on some units."""
    problem = random_problem(seed, 5 + seed % 3, 3 + seed % 2)
    rng = np.random.default_rng(seed)
    nips = [str(e.nip) for e in problem.employees]
    chosen = rng.permutation(len(nips))[:4]
    kinds = ["separate", "together"] if seed % 3 else list(rng.choice(["separate", "together"], 2))
    pairs = tuple(
        Pair(nip_a=nips[chosen[2 * k]], nip_b=nips[chosen[2 * k + 1]], kind=kinds[k])
        for k in range(2)
    )
    units = tuple(
        u.replace(area=["", "Binjai Kota", "Binjai Utara"][int(rng.integers(3))])
        for u in problem.units
    )
    emps = list(problem.employees)
    if seed % 2 == 0:  # the pairs' members free to move (else many pairs cannot hold)
        for e in chosen.tolist():
            emps[e] = emps[e].replace(locked=False, employment_type="PNS", months_in_unit=None)
    return problem.replace(employees=tuple(emps), units=units, pairs=pairs)


def assert_solves_like_brute_force(problem: Problem) -> mo.Plan:
    best = brute_force(problem)
    plan = mo.solve(problem, workers=1, seed=0, work_limit=20)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE
        assert plan.diagnosis, "an infeasible plan must come with a diagnosis"
        return plan
    assert plan.status is PlanStatus.OPTIMAL
    assert tuple(s.value for s in plan.stages) == best
    assert plan.after is not None and plan.after.stage_values() == best
    assert check_plan(problem, plan) == []
    return plan


@pytest.mark.parametrize("seed", range(30))
def test_pairs_equal_brute_force(seed: int) -> None:
    assert_solves_like_brute_force(with_pairs(7000 + seed))


def test_relatives_in_one_unit_are_separated() -> None:
    """Two relatives at U0, nothing else to gain: the plan moves one of them
    (nobody moving, the greedy start, breaks the pair)."""
    problem = random_problem(1, 4, 2, bounds=False, requirements=False, max_moves=None)
    emps = [e.replace(unit="U0", role="guru", locked=False, employment_type="PNS",
                      months_in_unit=None, refused_units=(), preferred_units=())
            for e in problem.employees]  # fmt: skip
    demand = (mo.Demand(unit="U0", role="guru", workload_hours=4000.0),
              mo.Demand(unit="U1", role="guru", workload_hours=0.0))  # fmt: skip
    problem = problem.replace(
        employees=tuple(emps),
        demand=demand,
        pairs=(Pair(nip_a=emps[0].nip, nip_b=emps[1].nip, kind="separate"),),
    )
    plan = assert_solves_like_brute_force(problem)
    assert plan.after is not None and int(plan.after.stage_values()[3]) == 1  # one move
    moved = {str(e.nip) for e in problem.employees} - {
        n for n, u in zip(plan.assignment["nip"], plan.assignment["unit_after"], strict=True)
        if u == "U0"
    }  # fmt: skip
    assert len(moved) == 1 and moved <= {str(emps[0].nip), str(emps[1].nip)}


def test_a_pair_no_plan_can_meet_is_diagnosed() -> None:
    problem = random_problem(3, 4, 2, bounds=False, requirements=False, max_moves=None)
    emps = [e.replace(unit="U0", locked=True) for e in problem.employees]
    problem = problem.replace(
        employees=tuple(emps),
        pairs=(Pair(nip_a=emps[0].nip, nip_b=emps[1].nip, kind="separate"),),
    )
    plan = mo.solve(problem, workers=1, work_limit=5)
    assert plan.status is PlanStatus.INFEASIBLE
    (conflict,) = plan.diagnosis
    assert conflict.kind == "pair_impossible"
    assert "relatives kept apart" in conflict.message and "pairs.csv row 2" in conflict.message
    # a couple in two areas, both locked
    far = problem.replace(
        employees=(emps[0], emps[1].replace(unit="U1"), *emps[2:]),
        units=tuple(u.replace(area=f"A{k}") for k, u in enumerate(problem.units)),
        pairs=(Pair(nip_a=emps[0].nip, nip_b=emps[1].nip, kind="together"),),
    )
    plan = mo.solve(far, workers=1, work_limit=5)
    assert plan.status is PlanStatus.INFEASIBLE
    assert "share no unit and no area" in plan.diagnosis[0].message


def test_the_checker_names_broken_pairs() -> None:
    problem = with_pairs(7003)
    idx = problem.index
    a, b = (idx.nip_pos[str(n)] for n in (problem.pairs[0].nip_a, problem.pairs[0].nip_b))
    together = idx.home.copy()
    together[b] = together[a]
    kinds = {v.kind for v in check_plan(problem, together)}
    assert ("pair_separate" in kinds) == (problem.pairs[0].kind == "separate")


# ---------------------------------------------------------------- retirements
def with_birth_dates(seed: int, *, leave: bool = False) -> Problem:
    """A random problem whose employees are born so that some retire within the
    horizon (12 months), some within the no-move window (6 months)."""
    problem = random_problem(seed, 5 + seed % 3, 3, max_moves=None)
    rng = np.random.default_rng(seed)
    emps = []
    for e in problem.employees:
        age = int(rng.choice([58, 60]))
        months_left = int(rng.choice([3, 9, 30, 200]))  # pension this many months on
        pension = add_months(PLAN_DATE, months_left)
        # the pension starts the month after the birthday at ``age``
        born = add_months(dt.date(pension.year - age, pension.month, 15), -1)
        emps.append(e.replace(birth_date=born, retirement_age=age if age == 60 else None))
    policy = problem.policy.replace(
        plan_date=PLAN_DATE,
        no_move_before_retirement_months=6,
        retiring_capacity="leave" if leave else "keep",
    )
    return problem.replace(employees=tuple(emps), policy=policy)


def months_left(problem: Problem, e: int) -> int:
    """Months from the plan date to the pension, by hand: the first of the month
    after the birthday at the BUP."""
    emp = problem.employees[e]
    age = emp.retirement_age or problem.policy.retirement_age
    born = emp.born
    assert born is not None
    pension = add_months(dt.date(born.year + age, born.month, 1), 1)
    return (pension.year - PLAN_DATE.year) * 12 + pension.month - PLAN_DATE.month


@pytest.mark.parametrize("seed", range(16))
def test_retirements_equal_brute_force(seed: int) -> None:
    problem = with_birth_dates(8000 + seed, leave=seed % 2 == 1)
    left = [months_left(problem, e) for e in range(len(problem.employees))]
    leave = problem.policy.retiring_capacity == "leave"
    window = 12 if leave else 6
    stays = np.array([m <= window for m in left])
    assert (metrics.retiring(problem) == np.array([m <= 12 for m in left])).all()
    assert not metrics.movable(problem)[stays].any()
    retiring = np.array([m <= 12 for m in left])
    if retiring.any():  # their capacity is gone with "leave", counted with "keep"
        assert bool((metrics.capacity_hours(problem)[retiring] == 0).all()) == leave
    plan = assert_solves_like_brute_force(problem)
    if plan.status is not PlanStatus.INFEASIBLE:
        moved = np.asarray(plan.assignment["moved"], dtype=bool)
        assert not moved[stays].any()


def test_the_state_report_shows_capacity_lost_to_retirements() -> None:
    problem = with_birth_dates(8003)
    state = mo.current_state(problem)
    retiring = [e for e in range(len(problem.employees)) if months_left(problem, e) <= 12]
    assert state.n_retiring == len(retiring)
    by_unit: dict[str, int] = {}
    for e in retiring:
        emp = problem.employees[e]
        by_unit[emp.unit] = by_unit.get(emp.unit, 0) + round(emp.fte * 1250)
    assert {r["unit"]: r["capacity_lost_hours"] for r in state.retirements} == by_unit
    assert "Retiring by 12 months after 2026-07-01" in state.text()
    assert "Blackout period: none set" in state.text()
    doc = state.to_dict()["retirements"]
    assert doc["retiring"] == len(retiring) and doc["capacity_lost_hours"] == sum(by_unit.values())
    assert sorted(r["nip"] for r in doc["staff"]) == sorted(
        str(problem.employees[e].nip) for e in retiring
    )
    dates = [r["pension_date"] for r in doc["staff"]]
    assert dates == sorted(dates)  # first to retire first
    blackout = problem.policy.replace(blackout_start=PLAN_DATE, blackout_end=PLAN_DATE)
    text = mo.current_state(problem.replace(policy=blackout)).text()
    assert "Blackout period 2026-07-01 to 2026-07-01: plan_date is inside it" in text
    html = state._repr_html_()  # the notebook view shows the same
    assert f"(BUP): {len(retiring)}, {sum(by_unit.values()):,} h a year" in html


def _retires_soon(seed: int) -> bool:
    problem = with_birth_dates(seed)
    return any(months_left(problem, e) <= 6 for e in range(len(problem.employees)))


def test_the_checker_refuses_moving_someone_about_to_retire() -> None:
    seed = first_seed(_retires_soon, 8005, step=1)
    problem = with_birth_dates(seed)
    e = next(e for e in range(len(problem.employees)) if months_left(problem, e) <= 6)
    a = problem.index.home.copy()
    a[e] = (a[e] + 1) % problem.index.n_units
    assert "retiring" in {v.kind for v in check_plan(problem, a)}


# ------------------------------------------------------------------- blackout
def test_solve_refuses_a_plan_date_in_the_blackout() -> None:
    problem = random_problem(5, 5, 3)
    policy = problem.policy.replace(
        plan_date=PLAN_DATE, blackout_start=dt.date(2026, 3, 1), blackout_end=dt.date(2026, 8, 31)
    )
    with pytest.raises(InputError, match="falls in the blackout period 2026-03-01 to 2026-08-31"):
        mo.solve(problem.replace(policy=policy), work_limit=1)
    # the day after: allowed
    after = policy.replace(plan_date=dt.date(2026, 9, 1))
    assert mo.solve(problem.replace(policy=after), work_limit=5, workers=1).status in (
        PlanStatus.OPTIMAL,
        PlanStatus.INFEASIBLE,
    )
    a = problem.index.home.copy()
    a[0] = (a[0] + 1) % problem.index.n_units  # any move, allowed or not: none may be made
    assert "blackout" in {v.kind for v in check_plan(problem.replace(policy=policy), a)}
    assert "blackout" not in {v.kind for v in check_plan(problem.replace(policy=after), a)}


def test_blackout_policy_is_validated() -> None:
    with pytest.raises(ValueError, match="give both blackout_start and blackout_end"):
        mo.Policy(blackout_start=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="blackout_end is before blackout_start"):
        mo.Policy(blackout_start=dt.date(2026, 2, 1), blackout_end=dt.date(2026, 1, 1))


def test_no_secondment_runs_in_the_blackout_unless_allowed() -> None:
    problem = mo.load_sample()
    surges = load_sample_surges()
    first = surges[0]
    start = dt.date(int(first.start[:4]), int(first.start[5:]), 1)
    policy = problem.policy.replace(blackout_start=start, blackout_end=add_months(start, 1))
    blocked = problem.replace(policy=policy)
    dark = metrics.blackout_months(policy)
    assert len(dark) == 2 and dark <= set(metrics.surge_horizon(surges))
    splan = plan_surges(blocked, surges, work_limit=0.3, workers=1)
    assert check_secondments(blocked, surges, splan) == []
    cover = splan.coverage
    labels = [month_label(m) for m in dark]
    assert (cover[cover["month"].isin(labels)]["covered_fte"] == 0).all()
    assert cover["covered_fte"].sum() > 0  # the other months are covered
    # the checker refuses a secondment in those months
    free = plan_surges(problem, surges, work_limit=0.3, workers=1)
    assert "blackout" in {v.kind for v in check_secondments(blocked, surges, free)}
    allowed = policy.replace(allow_secondment_in_blackout=True)
    assert metrics.blackout_months(allowed) == frozenset()


def test_the_service_refuses_a_job_in_the_blackout() -> None:
    from fastapi.testclient import TestClient

    from mutasi_opt.service import Settings, create_app

    problem = random_problem(5, 5, 3)
    policy = problem.policy.replace(
        plan_date=PLAN_DATE, blackout_start=dt.date(2026, 3, 1), blackout_end=dt.date(2026, 8, 31)
    )
    doc = mo.problem_to_json(problem.replace(policy=policy))
    with TestClient(create_app(Settings())) as client:
        answer = client.post("/v1/jobs", json={"problem": doc, "work_limit": 1})
    assert answer.status_code == 422
    (issue,) = answer.json()["issues"]
    assert issue["column"] == "plan_date" and "blackout period" in issue["message"]


def test_a_city_with_broken_pairs_gets_a_plan_that_mends_them() -> None:
    """300 employees, relatives sharing a unit and couples in two kecamatan today,
    all free to move: every step (greedy starts, neighbourhood search, CP-SAT)
    must end on a plan meeting the pairs, verified by the checker."""
    problem = mo.synth.generate(300, seed=16, max_moves=40)
    idx = problem.index
    movable = metrics.movable(problem)
    area = [u.area or u.unit for u in problem.units]
    pairs: list[Pair] = []
    used: set[int] = set()
    for e in np.flatnonzero(movable).tolist():
        if len(pairs) >= 8 or e in used:
            continue
        separate = len(pairs) % 2 == 0
        for f in np.flatnonzero(movable & (idx.role == idx.role[e])).tolist():
            same_unit = idx.home[f] == idx.home[e]
            far = area[int(idx.home[f])] != area[int(idx.home[e])]
            if f != e and f not in used and (same_unit if separate else far):
                kind = "separate" if separate else "together"
                pairs.append(Pair(nip_a=idx.nips[e], nip_b=idx.nips[f], kind=kind))
                used |= {e, f}
                break
    assert len(pairs) == 8
    paired = problem.replace(pairs=tuple(pairs))
    assert mo.current_state(paired).pairs == {"together": 4, "separate": 4, "broken": 8}
    plan = mo.solve(paired, work_limit=1.5, workers=1, seed=0)
    assert plan.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)
    assert check_plan(paired, plan) == []
    assert plan.after is not None
    assert (
        plan.after.stage_values() == metrics.evaluate(paired, plan.assignment_array).stage_values()
    )


# ------------------------------------------------------------------- rotation
def with_rotation(seed: int) -> Problem:
    problem = random_problem(9000 + seed, 5 + seed % 3, 3, max_moves=None if seed % 2 else 3)
    return problem.replace(policy=problem.policy.replace(rotation_required=True))


@pytest.mark.parametrize("seed", range(16))
def test_rotation_required_equals_brute_force(seed: int) -> None:
    problem = with_rotation(seed)
    overdue = [e for e, emp in enumerate(problem.employees) if (emp.months_in_unit or 0) > 60]
    must = metrics.must_rotate(problem)
    assert set(np.flatnonzero(must).tolist()) <= set(overdue)
    plan = assert_solves_like_brute_force(problem)
    if plan.status is not PlanStatus.INFEASIBLE:
        moved = np.asarray(plan.assignment["moved"], dtype=bool)
        assert moved[must].all()
        assert metrics.overdue_remaining(problem, plan.assignment_array) == len(overdue) - int(
            moved[overdue].sum()
        )


def test_rotation_exemptions_are_explained() -> None:
    seed = first_seed(lambda s: bool(metrics.rotation_exempt(with_rotation(s))), 0, step=1)
    problem = with_rotation(seed)
    exempt = metrics.rotation_exempt(problem)
    reasons = metrics.immovable_reason(problem)
    overdue = metrics.overdue(problem)
    must = metrics.must_rotate(problem)
    assert sum(exempt.values()) == int((overdue & ~must).sum())
    for e in np.flatnonzero(overdue & ~must).tolist():
        assert (reasons[e] or "no_target") in exempt
    text = mo.current_state(problem).text()
    assert f"rotation_required: {int(must.sum())} must move, exempt " in text
    stay = problem.index.home.copy()
    kinds = [v.kind for v in check_plan(problem, stay)]
    assert kinds.count("rotation") == int(must.sum())


def test_a_rotation_the_budget_cannot_pay_is_diagnosed() -> None:
    seed = first_seed(lambda s: int(metrics.must_rotate(with_rotation(s)).sum()) >= 2, 0, step=1)
    problem = with_rotation(seed)
    tight = problem.replace(policy=problem.policy.replace(max_moves=1))
    plan = mo.solve(tight, workers=1, work_limit=5)
    assert plan.status is PlanStatus.INFEASIBLE
    assert any(c.kind == "rotation_budget" for c in plan.diagnosis)


def test_the_frontier_shows_the_overdue_staff_left() -> None:
    problem = random_problem(4, 6, 3, max_moves=None)
    curve = mo.frontier(problem, budgets=[0, 1, 2], workers=1, work_limit=6)
    for point, row in zip(curve.points, curve.records(), strict=True):
        assert (
            row["overdue"]
            == point.overdue
            == metrics.overdue_remaining(problem, point.plan.assignment_array)
        )
    assert curve.points[0].overdue == int(metrics.overdue(problem).sum())  # nobody moves


def test_why_not_says_who_stays_for_retirement_or_inactivity() -> None:
    seed = first_seed(_retires_soon, 8005, step=1)
    problem = with_birth_dates(seed)
    e = next(e for e in range(len(problem.employees)) if months_left(problem, e) <= 6)
    emp = problem.employees[e]
    problem = problem.replace(
        employees=tuple(
            x.replace(locked=False, employment_type="PNS", months_in_unit=None) if k == e else x
            for k, x in enumerate(problem.employees)
        )
    )
    plan = mo.solve(problem, workers=1, work_limit=5)
    assert plan.status is not PlanStatus.INFEASIBLE
    day = metrics.retirement_dates(problem)[e]
    assert f"retires on {day} (BUP {emp.retirement_age or 58})" in plan.why_not(str(emp.nip))
    assert "akan pensiun pada" in plan.why_not(str(emp.nip), lang="id")


def test_the_diagnosis_counts_staff_who_stay_for_retirement() -> None:
    """A unit capped at no staff, two of whose four staff retire within months: the
    diagnosis says that two cannot leave because they are about to retire."""
    problem = with_birth_dates(8003)
    unit = problem.employees[0].unit
    free = tuple(
        e.replace(locked=False, employment_type="PNS", months_in_unit=None) if e.unit == unit else e
        for e in problem.employees
    )
    units = tuple(u.replace(max_staff=0, min_staff=None) if u.unit == unit else u
                  for u in problem.units)  # fmt: skip
    capped = problem.replace(employees=free, units=units)
    soon = [k for k, e in enumerate(free) if e.unit == unit and months_left(capped, k) <= 6]
    assert len(soon) == 2
    plan = mo.solve(capped, workers=1, work_limit=5)
    assert plan.status is PlanStatus.INFEASIBLE
    assert any("2 about to retire" in c.message for c in plan.diagnosis), plan.diagnosis


@pytest.mark.parametrize("seed", range(0, 40, 4))
def test_secondments_around_a_blackout_equal_brute_force(seed: int) -> None:
    """A blackout of a few days in the second month of the surges' window: no
    secondment runs in that month, and the plan is the brute-force optimum of the
    secondments that avoid it; allowed in the blackout, the optimum without it."""
    problem, surges = random_surge_problem(seed)
    month = min(metrics.surge_horizon(surges)) + 1
    start = dt.date(month // 12, month % 12 + 1, 15)
    policy = problem.policy.replace(blackout_start=start, blackout_end=start)
    dark = problem.replace(policy=policy)
    assert metrics.blackout_months(policy) == frozenset({month})
    best, _ = brute_force_surges(dark, surges)
    plan = plan_surges(dark, surges, workers=1)
    assert plan.status is PlanStatus.OPTIMAL
    assert tuple(s.value for s in plan.stages) == best
    assert check_secondments(dark, surges, plan) == []
    lit = problem.replace(policy=policy.replace(allow_secondment_in_blackout=True))
    free, _ = brute_force_surges(problem, surges)
    assert brute_force_surges(lit, surges)[0] == free
    assert tuple(s.value for s in plan_surges(lit, surges, workers=1).stages) == free


def test_no_time_at_all_never_answers_with_a_plan_breaking_a_round_rule() -> None:
    """Nobody moving is the answer of a solve without time only when it meets the
    rules: not when someone must rotate, nor when relatives share a unit."""
    seed = first_seed(lambda s: bool(metrics.must_rotate(with_rotation(s)).any()), 0, step=1)
    problem = with_rotation(seed)
    plan = mo.solve(problem, time_limit=0)
    assert plan.status is PlanStatus.UNKNOWN or check_plan(problem, plan) == []
    relaxed = problem.replace(policy=problem.policy.replace(rotation_required=False))
    a, b = relaxed.employees[0], relaxed.employees[1]
    together = relaxed.replace(
        employees=(a, b.replace(unit=a.unit), *relaxed.employees[2:]),
        pairs=(Pair(nip_a=a.nip, nip_b=b.nip, kind="separate"),),
    )
    plan = mo.solve(together, time_limit=0)
    assert plan.status is PlanStatus.UNKNOWN or check_plan(together, plan) == []


def test_cli_solve_refuses_a_plan_date_in_the_blackout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mutasi_opt.cli import main

    problem = random_problem(5, 5, 3)
    policy = problem.policy.replace(
        plan_date=PLAN_DATE, blackout_start=dt.date(2026, 3, 1), blackout_end=dt.date(2026, 8, 31)
    )
    folder = mo.write_folder(problem.replace(policy=policy), tmp_path / "data")
    assert main(["solve", str(folder), "--out", str(tmp_path / "out"), "--work-limit", "1"]) == 1
    err = capsys.readouterr().err
    assert "policy.toml, column 'plan_date'" in err and "UU 10/2016 Pasal 71" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_a_policy_with_retirement_ages_stays_hashable() -> None:
    a = mo.Policy(retirement_ages={"Kepala Dinas": 60, "Dokter Ahli Utama": 65})
    b = mo.Policy(retirement_ages={"Dokter Ahli Utama": 65, "Kepala Dinas": 60})
    assert a == b and hash(a) == hash(b) and len({a, b, mo.Policy()}) == 2
