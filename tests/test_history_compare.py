"""History vs optimiser: the fewest moves reaching given values (brute force),
``compare_history`` under the same rules, the synthetic history generator and
``mutasi-opt history``."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from mutasi_opt import Problem, check_plan, metrics, synth, write_folder
from mutasi_opt.cli import main
from mutasi_opt.io.history import read_history, write_history
from mutasi_opt.planning.history import compare_history, evaluate_history, synthetic_history
from mutasi_opt.planning.solve import fewest_moves
from mutasi_opt.results.history import HistoryMove
from mutasi_opt.sample import load_sample, load_sample_history
from problems import first_seed, random_problem

CAPPED = ("shortfall", "imbalance", "balance")


def _feasible(problem: Problem) -> list[np.ndarray]:
    """Every assignment meeting the rules, ignoring the move budget."""
    idx = problem.index
    allowed = [metrics.allowed_units(problem, e) for e in range(idx.n_employees)]
    out = []
    for combo in itertools.product(*allowed):
        a = np.array(combo, dtype=np.int64)
        head = np.bincount(a, minlength=idx.n_units)
        lo, hi = idx.min_staff, idx.max_staff
        if ((lo >= 0) & (head < lo)).any() or ((hi >= 0) & (head > hi)).any():
            continue
        out.append(a)
    return out


def _brute_fewest(problem: Problem, caps: dict[str, int]) -> int | None:
    best = None
    for a in _feasible(problem):
        m = metrics.evaluate(problem, a)
        if all(m.value(s) <= c for s, c in caps.items()):
            best = m.moves if best is None else min(best, m.moves)
    return best


@pytest.mark.parametrize("seed", range(20))
def test_fewest_moves_equals_brute_force(seed: int) -> None:
    def ok(s: int) -> bool:
        return len(_feasible(random_problem(s, 7, 3, max_moves=None))) > 1

    problem = random_problem(first_seed(ok, seed), 7, 3, max_moves=None)
    plans = _feasible(problem)
    # caps: the values of one feasible plan (a stand-in for a history), picked at random
    target = plans[np.random.default_rng(seed).integers(len(plans))]
    m = metrics.evaluate(problem, target)
    caps = {s: m.value(s) for s in CAPPED}
    reach = fewest_moves(problem, caps, workers=1)
    assert reach.moves == _brute_fewest(problem, caps)
    assert reach.status == "optimal" and reach.bound == reach.moves
    assert reach.assignment is not None
    found = metrics.evaluate(problem, reach.assignment)
    assert all(found.value(s) <= c for s, c in caps.items())
    free = problem.replace(policy=problem.policy.replace(max_moves=None))
    assert check_plan(free, reach.assignment) == []


@pytest.mark.parametrize("work", [0.02, 0.2, 1.0])
@pytest.mark.parametrize("seed", range(8))
def test_fewest_moves_bound_is_valid_under_any_work_limit(seed: int, work: float) -> None:
    """Cut short, the search's bound (from the probes and the D LPs' duals) is
    still at most the brute-force fewest moves."""

    def ok(s: int) -> bool:
        return len(_feasible(random_problem(s, 7, 3, max_moves=None))) > 1

    problem = random_problem(first_seed(ok, 100 + seed), 7, 3, max_moves=None)
    plans = _feasible(problem)
    # the D cap of a plan with many moves: a positive fewest-moves answer
    target = max(plans, key=lambda a: int(metrics.moved(problem, a).sum()))
    caps = {"shortfall": metrics.evaluate(problem, target).shortfall}
    caps["imbalance"] = metrics.evaluate(problem, target).imbalance_centi
    fewest = _brute_fewest(problem, caps)
    assert fewest is not None
    reach = fewest_moves(problem, caps, work_limit=work, workers=1)
    assert reach.bound <= fewest
    if reach.moves is not None:
        assert fewest <= reach.moves


def test_unreachable_caps_are_infeasible() -> None:
    problem = random_problem(first_seed(lambda s: bool(_feasible(random_problem(s))), 5))
    best_d = min(metrics.evaluate(problem, a).imbalance_centi for a in _feasible(problem))
    reach = fewest_moves(problem, {"imbalance": best_d - 1}, workers=1)
    assert reach.moves is None and reach.status == "infeasible"


def _rule_abiding_history(problem: Problem, seed: int) -> tuple[HistoryMove, ...]:
    return synthetic_history(problem, 3, seed=seed, exceptions=0.0, temporary=0.0)


@pytest.mark.parametrize("seed", range(6))
def test_compare_history_beats_a_rule_abiding_history(seed: int) -> None:
    def ok(s: int) -> bool:
        p = random_problem(s, 7, 3, max_moves=None)
        h = _rule_abiding_history(p, s)
        return bool(h) and not evaluate_history(p, h).exceptions

    s = first_seed(ok, seed)
    problem = random_problem(s, 7, 3, max_moves=None)
    history = _rule_abiding_history(problem, s)
    cmp = compare_history(problem, history, workers=1)
    h, o = cmp.history.after, cmp.optimised.after
    assert o is not None
    # the history is a feasible plan with its number of moves: the optimum is as good
    assert o.moves <= h.moves
    assert (o.shortfall, o.imbalance_centi, o.balance_cost_scaled) <= (
        h.shortfall,
        h.imbalance_centi,
        h.balance_cost_scaled,
    )
    caps = {st: h.value(st) for st in CAPPED}
    assert cmp.moves_to_match == _brute_fewest(problem, caps)
    assert cmp.moves_to_match is not None and cmp.moves_to_match <= h.moves
    if h.moves:
        assert cmp.gain_per_move_history == pytest.approx(
            (cmp.history.before.imbalance_hours - h.imbalance_hours) / h.moves
        )
    summary = cmp.summary()
    assert json.loads(json.dumps(summary, default=str))["moves_to_match"] == cmp.moves_to_match
    assert "Balance gained per move" in str(cmp) or h.moves == 0


def test_synthetic_history_is_deterministic_and_replayable() -> None:
    problem = synth.generate(300, seed=4)
    a = synthetic_history(problem, 40, seed=9)
    assert a == synthetic_history(problem, 40, seed=9)
    assert a != synthetic_history(problem, 40, seed=10)
    assert len(a) == 40
    assert [m.date for m in a] == sorted(m.date for m in a)
    report = evaluate_history(problem, a)
    # every permanent row replays: from_unit is where the employee was at that date
    assert all(s.move.kind == "temporary" for s in report.skipped)
    assert len(report.applied) == sum(m.kind == "permanent" for m in a)


def test_synthetic_history_mix_and_exceptions() -> None:
    problem = synth.generate(400, seed=2)
    idx = problem.index
    prefs = synthetic_history(problem, 15, seed=1, mix={"preference": 1.0}, exceptions=0.0)
    for m in prefs:
        e = idx.nip_pos[m.nip]
        assert idx.preferred[e][0] == idx.unit_pos[m.to_unit]
    clean = evaluate_history(
        problem, synthetic_history(problem, 30, seed=3, exceptions=0.0, temporary=0.0)
    )
    personal = {"locked", "pppk", "tenure", "refused_unit"}
    assert not [v for v in clean.exceptions if v.kind in personal]
    broken = evaluate_history(problem, synthetic_history(problem, 30, seed=3, exceptions=0.5))
    assert [v for v in broken.exceptions if v.kind in personal]
    with pytest.raises(ValueError, match="unknown kinds"):
        synthetic_history(problem, 3, mix={"lottery": 1.0})


def test_write_and_read_history_round_trip(tmp_path: Path) -> None:
    problem = synth.generate(200, seed=5)
    moves = synthetic_history(problem, 12, seed=2, temporary=0.3)
    assert read_history(write_history(moves, tmp_path / "h.csv")) == moves


def test_the_sample_ships_a_history() -> None:
    history = load_sample_history()
    assert len(history) == 150
    report = evaluate_history(load_sample(), history)
    assert report.exceptions  # a few moves broke the policy, as in real histories
    assert all(s.move.kind == "temporary" for s in report.skipped)


def test_cli_history_on_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = synth.generate(60, seed=3)
    folder = write_folder(problem, tmp_path / "city")
    path = write_history(synthetic_history(problem, 6, seed=1, temporary=0.0), tmp_path / "h.csv")
    out = tmp_path / "out"
    code = main(["history", str(folder), str(path), "--out", str(out), "--workers", "1"])
    assert code == 0
    text = capsys.readouterr().out
    assert "History vs optimiser" in text and "Balance gained per move" in text
    data = json.loads((out / "comparison.json").read_text())
    assert data["history"]["moves"] == evaluate_history(problem, read_history(path)).after.moves
    assert (out / "optimiser" / "assignment.csv").exists()
    assert (out / "exceptions.csv").read_text().startswith("kind,nip,unit,message")
    assert (out / "skipped.csv").read_text().startswith("row,nip,from_unit,to_unit,date,reason")


def test_cli_history_sample_replay_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--sample", "--replay-only"]) == 0
    text = capsys.readouterr().out
    assert "History replayed: 144 rows" in text
    assert "Rule exceptions in the history" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["history"],
        ["history", "x"],
        ["history", "a", "b", "--sample"],
        ["history", "--sample", "--time-limit", "-5"],
    ],
)
def test_cli_history_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert "error:" in capsys.readouterr().err


def test_cli_history_bad_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(synth.generate(30, seed=1), tmp_path / "city")
    bad = tmp_path / "h.csv"
    bad.write_text("nip,from_unit,to_unit,date\nX,A,B,2024-02-30\n", encoding="utf-8")
    assert main(["history", str(folder), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "h.csv" in err and "row 2" in err and "date" in err
