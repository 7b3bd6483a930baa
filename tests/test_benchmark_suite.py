"""Smoke test of the benchmark suite on a small instance (not a timed test)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[1] / "benchmarks" / "suite.py"


@pytest.fixture(scope="module")
def suite():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_suite", SUITE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_suite"] = module
    spec.loader.exec_module(module)
    return module


def test_suite_runs_every_solver_on_a_small_city(suite) -> None:  # type: ignore[no-untyped-def]
    problem = suite.make_problem("synth-300")
    assert problem.policy.max_moves is not None and problem.policy.max_moves >= 1
    results = []
    for name, runner in suite.RUNNERS.items():
        result = runner(problem, 4.0, 1)
        result.update(instance="synth-300", solver=name, employees=300, peak_memory_mb=0.0)
        assert result["stages"][0]["stage"] == "shortfall"
        for stage in result["stages"]:
            if stage.get("value") is not None:
                assert stage["bound"] <= stage["value"]
        results.append(result)
    # the same MIP: every solver that proves a stage agrees on its value
    proven = {}
    for r in results:
        for s in r["stages"]:
            if s.get("status") == "optimal" and s["stage"] in ("shortfall",):
                proven.setdefault(s["stage"], set()).add(s["value"])
    assert all(len(v) == 1 for v in proven.values())
    report = suite.markdown(results)
    assert "| synth-300 | ours | imbalance |" in report
    assert "time to target" in report
    ours = next(r for r in results if r["solver"] == "ours")
    ends = [s["ended"] for s in ours["stages"]]
    assert ends == sorted(ends) and ends[-1] <= ours["total_seconds"] + 1e-6


def test_scaling_fit_recovers_the_exponent(suite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def run(n: int, seconds: float, b_gap: float) -> dict:  # type: ignore[type-arg]
        return {
            "instance": f"synth-{n}",
            "solver": "ours",
            "employees": n,
            "stages": [
                {"stage": "shortfall", "value": 0, "bound": 0, "ended": 0.1},
                {"stage": "imbalance", "value": 1000, "bound": 1000, "ended": seconds},
                {
                    "stage": "balance",
                    "value": 1000,
                    "bound": round(1000 * (1 - b_gap)),
                    "ended": 2 * seconds,
                },
            ],
        }

    # time ∝ N^1.5 for D; B within 1 % only at the two small sizes
    results = [run(1000, 1.0, 0.0), run(4000, 8.0, 0.005), run(16000, 64.0, 0.05)]
    assert suite.time_to_target(results[2], "imbalance") == 64.0
    assert suite.time_to_target(results[2]) is None  # B 5 % from its bound
    text = suite.scaling_plot(results, tmp_path / "scaling.png")
    assert "D ≤ 0.1 %: t ∝ N^1.50 over N = 1,000, 4,000, 16,000" in text
    assert "D ≤ 0.1 % and B ≤ 1 %: t ∝ N^1.50 over N = 1,000, 4,000" in text
