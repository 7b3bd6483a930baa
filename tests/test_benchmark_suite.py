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
