"""The plain-text repr of every result object stays one short line: notebooks
store it next to the HTML view, and a city's full field dump is megabytes."""

from __future__ import annotations

import mutasi_opt as mo
from mutasi_opt.sample import load_sample_surges


def test_reprs_are_short_and_name_the_headline_numbers() -> None:
    problem = mo.load_sample()
    history = mo.load_sample_history()
    report = mo.evaluate_history(problem, history)
    from mutasi_opt import synth

    city = synth.generate(60, seed=3)
    plan = mo.solve(city, work_limit=10.0, workers=1)
    curve = mo.frontier(city, [0, 2], workers=1, work_limit=20.0)
    surge_plan = mo.plan_surges(problem, load_sample_surges()[:1], work_limit=5.0, workers=1)
    texts = {
        "Problem": repr(problem),
        "str(Problem)": str(problem),
        "StateReport": repr(mo.current_state(problem)),
        "HistoryReport": repr(report),
        "Plan": repr(plan),
        "Frontier": repr(curve),
        "FrontierPoint": repr(curve.points[0]),
        "SurgePlan": repr(surge_plan),
        "HistoryComparison": repr(
            mo.compare_history(
                city, mo.synthetic_history(city, 3, seed=1), time_limit=10, workers=1
            )
        ),
    }
    for name, text in texts.items():
        assert len(text) < 300 and "\n" not in text, name
    assert texts["Problem"] == "Problem(employees=5000, units=193, roles=17, requirements=40)"
    assert f"moves={plan.after.moves}" in texts["Plan"]  # type: ignore[union-attr]
    assert f"replayed={len(report.applied)}" in texts["HistoryReport"]
    assert f"points={len(curve.points)}" in texts["Frontier"]
