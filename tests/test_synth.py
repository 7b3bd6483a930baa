"""The synthetic generator: determinism, sizes and structural realism."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest

from mutasi_opt import Employee, metrics, synth
from mutasi_opt.domain.problem import Problem
from mutasi_opt.domain.values import nip_problem


@pytest.fixture(scope="module")
def city() -> Problem:
    return synth.generate(3000, seed=11)


def test_same_seed_same_problem() -> None:
    a = synth.generate(300, seed=5, max_moves=20)
    b = synth.generate(300, seed=5, max_moves=20)
    assert a.model_dump() == b.model_dump()
    c = synth.generate(300, seed=6, max_moves=20)
    assert a.model_dump() != c.model_dump()


@pytest.mark.parametrize("n", [1, 2, 6, 13, 20, 50, 400])
def test_sizes(n: int) -> None:
    p = synth.generate(n, seed=n)
    assert len(p.employees) == n
    assert len(p.units) == synth.default_n_units(n)
    assert p.policy.max_moves is None


def test_default_units_scale_with_employees() -> None:
    assert synth.default_n_units(6) == 3
    assert synth.default_n_units(5000) == 193
    assert synth.default_n_units(20_000) > synth.default_n_units(5000)


@pytest.mark.parametrize(("n", "units"), [(30, 1), (30, 2), (40, 12), (500, 60), (500, 300)])
def test_n_units_override(n: int, units: int) -> None:
    p = synth.generate(n, n_units=units, seed=1)
    assert len(p.units) == units
    ids = [u.unit for u in p.units]
    assert len(set(ids)) == units


def test_small_problems_have_shared_roles() -> None:
    # The smallest problems use two puskesmas and Dinas Kesehatan, so roles
    # have more than one unit to be balanced between.
    p = synth.generate(12, seed=0)
    assert [u.unit for u in p.units] == ["DINKES", "PKM-BINJAI-KOTA", "PKM-BINJAI-UTARA"]


def test_policy_and_max_moves() -> None:
    p = synth.generate(50, seed=0, max_moves=7)
    assert p.policy.max_moves == 7
    base = p.policy.replace(min_months_in_unit=12)
    q = synth.generate(50, seed=0, policy=base)
    assert q.policy.min_months_in_unit == 12


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_employees"):
        synth.generate(0)
    with pytest.raises(ValueError, match="n_units"):
        synth.generate(10, n_units=0)
    with pytest.raises(ValueError, match="pppk_share"):
        synth.generate(10, pppk_share=1.5)
    with pytest.raises(ValueError, match="preference_share"):
        synth.generate(10, preference_share=-0.1)


def test_nips_valid_and_unique(city: Problem) -> None:
    nips = [str(e.nip) for e in city.employees]
    assert len(set(nips)) == len(nips)
    for e in city.employees:
        text = str(e.nip)
        assert len(text) == 18 and text.isdigit()
        assert nip_problem(text) is None
        birth = e.nip.birth_date
        start = e.nip.cpns_start
        assert birth is not None and start is not None
        assert start[0] >= birth.year + 18
        assert text[14] in "12"


def test_names_and_ranks(city: Problem) -> None:
    assert all(e.name for e in city.employees)
    assert any(e.name.startswith("dr. ") for e in city.employees if e.role == "dokter")
    # PPPK have no PNS golongan; every PNS has one.
    assert all((e.rank is None) == (e.employment_type == "PPPK") for e in city.employees)


def test_shares(city: Problem) -> None:
    idx = city.index
    assert idx.pppk.mean() == pytest.approx(0.15, abs=0.005)
    assert 0.01 < idx.locked.mean() < 0.06
    assert set(np.unique(idx.fte)) <= {0.5, 1.0}
    assert 0.9 < (idx.fte == 1.0).mean() < 1.0
    months = idx.months[idx.months >= 0]
    assert months.min() >= 0 and months.max() <= 120
    assert 0.1 < (months < 24).mean() < 0.5
    assert 0.05 < (months > 60).mean() < 0.4
    with_pref = [e for e in city.employees if e.preferred_units]
    assert 0.1 <= len(with_pref) / len(city.employees) <= 0.2
    assert all(1 <= len(e.preferred_units) <= 3 for e in with_pref)
    for e in city.employees:
        assert e.unit not in e.preferred_units
        assert e.unit not in e.refused_units
        assert not set(e.preferred_units) & set(e.refused_units)


def test_units_realistic(city: Problem) -> None:
    ids = {u.unit for u in city.units}
    names = {u.name for u in city.units}
    assert {"SETDA", "DINKES", "RSUD", "SATPOLPP", "BKPSDM", "DINSOS"} <= ids
    assert {"Sekretariat Daerah", "Dinas Kesehatan", "RSUD Dr. R.M. Djoelham"} <= names
    kec = [u for u in ids if u.startswith("KEC-")]
    assert len(kec) == 5
    assert any(u.startswith("KEL-") for u in ids)
    assert any(u.startswith("PKM-") for u in ids)
    assert any(u.startswith("SDN-") for u in ids) and any(u.startswith("SMPN-") for u in ids)
    assert all(len(u) <= 20 for u in ids)
    hc = metrics.headcount(city, city.index.home)
    for i, u in enumerate(city.units):
        if u.min_staff is not None:
            assert hc[i] >= u.min_staff
        if u.max_staff is not None:
            assert hc[i] <= u.max_staff
    assert any(u.min_staff is not None or u.max_staff is not None for u in city.units)


def test_roles_only_where_demand_exists(city: Problem) -> None:
    idx = city.index
    assert idx.has_demand[idx.home, idx.role].all()
    health = ("PKM-", "RSUD", "DINKES")
    for d in city.demand:
        if d.role == "guru":
            assert d.unit.startswith(("SDN-", "SMPN-"))
        if d.role in {"perawat", "bidan", "dokter"}:
            assert d.unit.startswith(health)
        if d.role == "polisi pamong praja":
            assert d.unit == "SATPOLPP"
    roles_at_schools = {d.role for d in city.demand if d.unit.startswith("SDN-")}
    assert roles_at_schools <= {"guru", "pelaksana"}


def test_imbalance_present(city: Problem) -> None:
    t = metrics.unit_role_table(city)
    ej = t["ej"][np.isfinite(t["ej"]) & (t["capacity_hours"] > 0)]
    assert (ej > 1.3).sum() >= 10
    assert (ej < 0.7).sum() >= 10
    assert ej.min() > 0.4 and ej.max() < 1.8
    assert metrics.evaluate(city).imbalance_centi > 0
    bands = Counter(t["band"])
    assert all(bands[b] > 0 for b in "ABCD")


def test_requirements_present_some_short(city: Problem) -> None:
    reqs = city.requirements
    assert len(reqs) >= 20
    comps = {q.competency for q in reqs}
    assert {"vaksinasi", "pengadaan"} <= comps
    pkm = [q for q in reqs if q.unit.startswith("PKM-")]
    assert pkm and all(q.competency == "vaksinasi" and q.min_level == 2 for q in pkm)
    short = metrics.requirement_shortfall(city, city.index.home)
    assert 1 <= (short > 0).sum() <= len(reqs) // 3
    # competency levels are 1-5, and competencies follow the role
    for e in city.employees:
        for code, lvl in e.competencies:
            assert code in synth.COMPETENCIES and 1 <= lvl <= 5
        if e.role == "guru":
            assert {c for c, _ in e.competencies} <= {"ti", "bimbingan_konseling"}


def test_movable_mix(city: Problem) -> None:
    reasons = Counter(metrics.immovable_reason(city))
    assert reasons[""] > 0.4 * len(city.employees)
    assert reasons["locked"] > 0 and reasons["pppk"] > 0 and reasons["tenure"] > 0


def test_large_generation_is_quick() -> None:
    start = time.perf_counter()
    p = synth.generate(20_000, seed=3)
    elapsed = time.perf_counter() - start
    assert len(p.employees) == 20_000
    assert elapsed < 10


def test_trusted_employees_equal_validated() -> None:
    # generate() builds employees without re-validation; they must be exactly
    # what validating the same values gives.
    p = synth.generate(300, seed=9)
    assert all(Employee(**e.model_dump()) == e for e in p.employees)
