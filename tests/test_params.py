"""``SolveParams``: validation, TOML files, the keyword rule, and its use by the
library, the CLI and the service (plans compared under work limits only)."""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutasi_opt as mo
from mutasi_opt import InputError, SolveParams, synth, write_folder
from mutasi_opt.cli import main
from mutasi_opt.domain.limits import check_limits
from mutasi_opt.io.documents import problem_to_json
from mutasi_opt.service import Settings, create_app

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

#: a small city and a work limit that every test's solve stays within
WORK = 3.0


@pytest.fixture(scope="module")
def problem() -> mo.Problem:
    return synth.generate(120, seed=4, max_moves=8)


def _same_plan(a: mo.Plan, b: mo.Plan) -> bool:
    assert a.assignment_array is not None and b.assignment_array is not None
    return bool(np.array_equal(a.assignment_array, b.assignment_array)) and [
        s.value for s in a.stages
    ] == [s.value for s in b.stages]


# ------------------------------------------------------------------ the model
def test_defaults_are_the_solve_defaults() -> None:
    p = SolveParams()
    assert p.to_dict() == {
        "time_limit": None,
        "work_limit": None,
        "seed": 0,
        "workers": None,
        "log": False,
        "decompose": True,
        "warm_start": True,
        "lp_bounds": True,
        "neighbourhoods": True,
    }
    assert mo.SolveParams is SolveParams
    with pytest.raises(Exception, match="frozen"):
        p.seed = 3  # type: ignore[misc]


BAD = [
    ("time_limit", -1, "time_limit must be a finite number ≥ 0"),
    ("time_limit", math.inf, "time_limit must be a finite number ≥ 0"),
    ("time_limit", "60", "time_limit must be a number of seconds or None"),
    ("time_limit", True, "time_limit must be a number of seconds or None"),
    ("work_limit", -0.5, "work_limit must be a finite number ≥ 0"),
    ("work_limit", math.nan, "work_limit must be a finite number ≥ 0"),
    ("work_limit", "lots", "work_limit must be a number of work units or None"),
    ("seed", 1.5, "seed must be a whole number"),
    ("seed", 2.0, r"seed must be a whole number \(write 2, not 2.0\)"),
    ("seed", True, "seed must be a whole number"),
    ("seed", "3", "seed must be a whole number"),
    ("seed", 2**31, "seed must be a whole number from -2147483648 to 2147483647"),
    ("workers", 0, "workers must be at least 1"),
    ("workers", -2, "workers must be at least 1"),
    ("workers", 1.0, "workers must be a whole number"),
    ("workers", False, "workers must be a whole number"),
    ("log", 1, "log must be true or false"),
    ("decompose", "no", "decompose must be true or false"),
    ("warm_start", None, "warm_start must be true or false"),
    ("lp_bounds", 0, "lp_bounds must be true or false"),
    ("neighbourhoods", "yes", "neighbourhoods must be true or false"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD)
def test_bad_values_are_refused_with_the_field_and_what_to_change(
    field: str, value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SolveParams(**{field: value})
    # replace (and so every keyword of the entry points) gives the bare message
    with pytest.raises(ValueError, match=message) as info:
        SolveParams().replace(**{field: value})
    assert "validation error" not in str(info.value)


def test_limit_messages_are_those_of_check_limits() -> None:
    for value in (-1, "60", math.inf):
        with pytest.raises(ValueError) as expected:
            check_limits(value, None)  # type: ignore[arg-type]
        with pytest.raises(ValueError) as got:
            SolveParams().replace(time_limit=value)
        assert str(got.value) == str(expected.value)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        SolveParams(time_limt=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"unknown solve parameter.*time_limt.*use: time_limit"):
        SolveParams().replace(time_limt=5)


def test_integral_numpy_values_are_accepted() -> None:
    p = SolveParams(seed=np.int64(7), workers=np.int32(2), time_limit=np.float64(1.5))
    assert (p.seed, p.workers, p.time_limit) == (7, 2, 1.5)
    assert type(p.seed) is int and type(p.workers) is int


@settings(max_examples=60, deadline=None)
@given(
    time_limit=st.none() | st.floats(0, 1e6),
    work_limit=st.none() | st.floats(0, 1e6),
    seed=st.integers(-(2**31), 2**31 - 1),
    workers=st.none() | st.integers(1, 64),
    switches=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans()),
)
def test_dict_and_toml_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    time_limit: float | None,
    work_limit: float | None,
    seed: int,
    workers: int | None,
    switches: tuple[bool, bool, bool, bool, bool],
) -> None:
    log, decompose, warm_start, lp_bounds, neighbourhoods = switches
    p = SolveParams(
        time_limit=time_limit,
        work_limit=work_limit,
        seed=seed,
        workers=workers,
        log=log,
        decompose=decompose,
        warm_start=warm_start,
        lp_bounds=lp_bounds,
        neighbourhoods=neighbourhoods,
    )
    assert SolveParams(**p.to_dict()) == p
    assert SolveParams.model_validate(json.loads(p.model_dump_json())) == p
    path = tmp_path_factory.mktemp("params") / "params.toml"
    path.write_text(p.to_toml(), encoding="utf-8")
    assert SolveParams.from_toml(path) == p


# ------------------------------------------------------------------ TOML files
def _issues(path: Path) -> list[dict[str, Any]]:
    with pytest.raises(InputError) as info:
        SolveParams.from_toml(path)
    return [i.to_dict() for i in info.value.issues]


def test_toml_file_is_read_from_the_solve_table(tmp_path: Path) -> None:
    path = tmp_path / "params.toml"
    path.write_text("# how to solve\n[solve]\nwork_limit = 20\nseed = 3\nlp_bounds = false\n")
    p = SolveParams.from_toml(path)
    assert p == SolveParams(work_limit=20, seed=3, lp_bounds=False)
    assert p.model_fields_set == {"work_limit", "seed", "lp_bounds"}


def test_toml_unknown_key_is_located(tmp_path: Path) -> None:
    path = tmp_path / "params.toml"
    path.write_text("[solve]\nseed = 1\ntime_limt = 60\n")
    [issue] = _issues(path)
    assert issue["file"] == str(path)
    assert (issue["row"], issue["column"], issue["value"]) == (3, "time_limt", "60")
    assert "unknown solve parameter 'time_limt'" in issue["message"]
    assert "time_limit" in issue["message"]  # what to use instead


def test_toml_wrong_types_are_located_every_one(tmp_path: Path) -> None:
    path = tmp_path / "params.toml"
    path.write_text('[solve]\ntime_limit = "60"\nworkers = 0\nlog = "yes"\n')
    issues = _issues(path)
    assert [(i["row"], i["column"]) for i in issues] == [
        (2, "time_limit"),
        (3, "workers"),
        (4, "log"),
    ]
    assert "time_limit must be a number of seconds or None" in issues[0]["message"]
    assert "workers must be at least 1" in issues[1]["message"]
    assert "log must be true or false" in issues[2]["message"]
    assert all("Value error" not in i["message"] for i in issues)


def test_toml_keys_outside_the_table(tmp_path: Path) -> None:
    path = tmp_path / "params.toml"
    path.write_text("seed = 3\n[policy]\nmax_moves = 5\n")
    issues = _issues(path)
    assert [(i["row"], i["column"]) for i in issues] == [(1, "seed"), (2, "policy")]
    assert "under a [solve] table" in issues[0]["message"]
    assert "remove it" in issues[1]["message"]


@pytest.mark.parametrize(
    ("text", "row", "message"),
    [
        ("[solve]\nseed = = 3\n", 2, "not valid TOML"),
        ("solve = 3\n", 1, "solve must be a table"),
    ],
)
def test_toml_bad_syntax_is_located(tmp_path: Path, text: str, row: int, message: str) -> None:
    path = tmp_path / "params.toml"
    path.write_text(text)
    [issue] = _issues(path)
    assert issue["row"] == row and message in issue["message"]


def test_toml_missing_file(tmp_path: Path) -> None:
    [issue] = _issues(tmp_path / "nowhere.toml")
    assert issue["file"] == str(tmp_path / "nowhere.toml")
    assert "does not exist" in issue["message"] and "[solve]" in issue["message"]
    [issue] = _issues(tmp_path)
    assert "is a folder" in issue["message"]


# ------------------------------------------------------------------ the keyword rule
def test_resolve_keywords_override_params_and_unset_ones_do_not() -> None:
    base = SolveParams(time_limit=60, seed=5, workers=2, warm_start=False)
    p = SolveParams.resolve(base, seed=0, time_limit=None, workers=mo.domain.params.UNSET)
    # given keywords win, even when they equal the default; the rest is base's
    assert p == SolveParams(time_limit=None, seed=0, workers=2, warm_start=False)
    assert SolveParams.resolve(None) == SolveParams()
    assert SolveParams.resolve(base) is base
    with pytest.raises(TypeError, match="params must be a SolveParams, got dict"):
        SolveParams.resolve({"seed": 1})  # type: ignore[arg-type]


def test_solve_with_params_gives_the_plan_of_the_keywords(problem: mo.Problem) -> None:
    by_keywords = mo.solve(problem, work_limit=WORK, seed=2, workers=1)
    by_params = mo.solve(problem, SolveParams(work_limit=WORK, seed=2, workers=1))
    assert by_keywords.has_solution and _same_plan(by_keywords, by_params)
    assert (by_params.work_limit, by_params.seed, by_params.workers) == (WORK, 2, 1)
    # a keyword given with params overrides that field (here: all three)
    overridden = mo.solve(
        problem, SolveParams(work_limit=50, seed=9, workers=2), work_limit=WORK, seed=2, workers=1
    )
    assert _same_plan(by_keywords, overridden)
    assert (overridden.work_limit, overridden.seed, overridden.workers) == (WORK, 2, 1)


def test_a_keyword_equal_to_the_default_still_overrides(problem: mo.Problem) -> None:
    params = SolveParams(work_limit=WORK, seed=7, workers=1, time_limit=600)
    plan = mo.solve(problem, params, seed=0, time_limit=None)
    assert plan.seed == 0 and plan.time_limit is None and plan.work_limit == WORK


def test_bad_keyword_and_bad_params_type(problem: mo.Problem) -> None:
    with pytest.raises(ValueError, match="time_limit must be a finite number ≥ 0"):
        mo.solve(problem, SolveParams(work_limit=1), time_limit=-1)
    with pytest.raises(TypeError, match="params must be a SolveParams"):
        mo.solve(problem, {"work_limit": 1})  # type: ignore[arg-type]


def test_switches_leave_the_optimum(problem: mo.Problem) -> None:
    free = problem.replace(policy=problem.policy.replace(max_moves=None))
    full = mo.solve(free, SolveParams(workers=1))
    bare = mo.solve(
        free,
        SolveParams(
            workers=1, decompose=False, warm_start=False, lp_bounds=False, neighbourhoods=False
        ),
    )
    assert full.status is bare.status is mo.PlanStatus.OPTIMAL
    assert [s.value for s in full.stages] == [s.value for s in bare.stages]


def test_the_other_entry_points_take_params(problem: mo.Problem) -> None:
    params = SolveParams(work_limit=WORK, seed=1, workers=1)
    curve = mo.frontier(problem, [0, 4], params)
    assert curve.work_limit == WORK and curve.stopped_by in (None, "work_limit")
    same = mo.frontier(problem, [0, 4], work_limit=WORK, seed=1, workers=1)
    assert same.table.drop(columns="seconds").equals(curve.table.drop(columns="seconds"))
    history = mo.synthetic_history(problem, n_moves=4, seed=1)
    cmp = mo.compare_history(problem, history, params)
    assert cmp.optimised.work_limit == pytest.approx(0.6 * WORK)
    surges = [
        mo.Surge(
            surge="s1", unit=problem.units[0].unit, start="2025-01", end="2025-02", extra_fte=1
        )
    ]
    a = mo.plan_surges(problem, surges, None, params)
    b = mo.plan_surges(problem, surges, work_limit=WORK, seed=1, workers=1)
    assert (a.status, a.stage_values(), a.work_used) == (b.status, b.stage_values(), b.work_used)
    assert (a.work_limit, a.seed, a.workers) == (WORK, 1, 1)


def test_solve_many_passes_params_to_the_workers(problem: mo.Problem) -> None:
    params = SolveParams(work_limit=WORK, seed=2, workers=1)
    alone = mo.solve(problem, params)
    [plan] = list(mo.solve_many([problem], params, max_workers=1))
    assert isinstance(plan, mo.Plan) and _same_plan(alone, plan)
    # the batch's own default of one thread, and a keyword overriding params
    [other] = list(mo.solve_many([problem], SolveParams(work_limit=WORK), max_workers=1, seed=2))
    assert isinstance(other, mo.Plan) and other.workers == 1 and _same_plan(alone, other)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        list(mo.solve_many([problem], params, workers=0))
    table = mo.scenarios(problem, {"max_moves": [8]}, params, max_workers=1)
    assert table["moves"].tolist() == [alone.after.moves if alone.after else None]


# ------------------------------------------------------------------ CLI
@pytest.fixture
def folder(tmp_path: Path, problem: mo.Problem) -> Path:
    return write_folder(problem, tmp_path / "city")


def test_cli_params_file_with_an_override(
    folder: Path, tmp_path: Path, problem: mo.Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "params.toml"
    path.write_text(f"[solve]\nwork_limit = {WORK}\nseed = 9\nworkers = 2\n")
    out = tmp_path / "out"
    # --seed and --workers on the command line override the file; the work limit is the file's
    flags = ["--seed", "2", "--workers", "1", "--json"]
    code = main(["solve", str(folder), "--out", str(out), "--params", str(path), *flags])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["seed"], summary["workers"], summary["work_limit"]) == (2, 1, WORK)
    assert summary["time_limit"] is None  # with a work limit, no default time limit
    expected = mo.solve(problem, work_limit=WORK, seed=2, workers=1)
    assert summary["moves"] == expected.summary()["moves"]
    assert summary["imbalance_hours"] == expected.summary()["imbalance_hours"]


def test_cli_params_file_alone_and_the_default_time_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mutasi_opt.cli import build_parser, params_of

    path = tmp_path / "params.toml"
    path.write_text("[solve]\nseed = 4\nwarm_start = false\n")
    args = build_parser().parse_args(["demo", "--params", str(path)])
    assert params_of(args) == SolveParams(time_limit=60, seed=4, warm_start=False)
    args = build_parser().parse_args(["demo", "--params", str(path), "--time-limit", "0"])
    assert params_of(args).time_limit is None  # 0 on the command line: no time limit
    path.write_text("[solve]\nwork_limit = 5\n")
    args = build_parser().parse_args(["frontier", "--sample", "--params", str(path)])
    assert params_of(args) == SolveParams(work_limit=5)
    args = build_parser().parse_args(
        ["batch", "root", "--out", "o", "--params", str(path), "--threads", "2"]
    )
    assert params_of(args, workers="threads") == SolveParams(work_limit=5, workers=2)
    for command in (
        ["solve", "x", "--out", "o"],
        ["surge", "x", "--surges", "s.csv", "--out", "o"],
        ["history", "--sample"],
    ):
        args = build_parser().parse_args([*command, "--params", str(path)])
        assert params_of(args).work_limit == 5


def test_cli_bad_params_file_exits_with_the_input_code_and_a_located_message(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "params.toml"
    path.write_text("[solve]\nwork_limit = 5\nseed = 1.5\n")
    code = main(["solve", str(folder), "--out", str(tmp_path / "out"), "--params", str(path)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{path}, row 3, column 'seed'" in err and "seed must be a whole number" in err
    assert not (tmp_path / "out").exists()
    code = main(["frontier", "--sample", "--params", str(tmp_path / "missing.toml")])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


# ------------------------------------------------------------------ service
@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with warnings.catch_warnings():  # starlette's notice about its httpx dependency
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient
    app = create_app(Settings(max_concurrent=1, max_time_limit=30, max_workers=2))
    with TestClient(app) as c:
        yield c


def _columns(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [i["column"] for i in response.json()["issues"]]


def test_service_bad_params_are_422_with_a_located_issue(
    client: TestClient, problem: mo.Problem
) -> None:
    document = problem_to_json(problem)
    cases = [
        ({"params": {"seed": 1.5}}, ["params.seed"]),
        ({"params": {"time_limt": 5}}, ["params.time_limt"]),
        ({"params": {"workers": 0}}, ["params.workers"]),
        ({"params": {"work_limit": 601}}, ["params.work_limit"]),  # the server's cap
        ({"params": {"time_limit": 31}}, ["params.time_limit"]),
        ({"params": {"time_limit": 0}}, ["params.time_limit"]),
        ({"params": {"workers": 3}}, ["params.workers"]),
        ({"params": {"seed": -1}}, ["params.seed"]),
        ({"params": "fast"}, ["params"]),
        # a top-level option overrides params, and its own cap is reported there
        ({"params": {"workers": 1}, "workers": 3}, ["workers"]),
    ]
    for options, columns in cases:
        r = client.post("/v1/jobs", json={"problem": document, **options})
        assert _columns(r) == columns, options
    r = client.post("/v1/jobs", json={"problem": document, "params": {"seed": 1.5}})
    message = r.json()["issues"][0]["message"]
    assert message.startswith("seed must be a whole number"), message


def test_service_job_with_params_solves_as_the_library(
    client: TestClient, problem: mo.Problem
) -> None:
    params = {"work_limit": WORK, "seed": 9, "workers": 2, "warm_start": False}
    r = client.post(
        "/v1/jobs",
        json={"problem": problem_to_json(problem), "params": params, "seed": 2, "workers": 1},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert (job["work_limit"], job["seed"], job["workers"]) == (WORK, 2, 1)
    assert job["time_limit"] > 0  # the server's default, a safety cap
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        job = client.get(f"/v1/jobs/{job['id']}").json()
    assert job["status"] == "done", job
    document = client.get(f"/v1/jobs/{job['id']}/result").json()
    got = {row["nip"]: row["unit_after"] for row in document["assignment"]}
    plan = mo.solve(problem, SolveParams(work_limit=WORK, seed=2, workers=1, warm_start=False))
    if plan.stopped_by != "time_limit":
        assert got == {r["nip"]: r["unit_after"] for r in plan.assignment_records()}
