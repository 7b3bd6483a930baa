"""The service's consultation endpoints: notices, revising a draft (and replanning it as a
job), fairness."""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mutasi_opt import SolveParams, problem_from_json, problem_to_json, solve, synth
from mutasi_opt.domain.responses import Response
from mutasi_opt.planning.replan import replan
from mutasi_opt.service import Settings, create_app
from problems import random_problem

with warnings.catch_warnings():  # starlette's notice about its httpx dependency
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(max_concurrent=1, max_workers=1))) as c:
        yield c


@pytest.fixture(scope="module")
def drafted() -> tuple[Any, dict[str, str]]:
    problem = random_problem(0, 6, 3)
    plan = solve(problem, workers=1)
    assert plan.assignment_array is not None
    ids = problem.index.unit_ids
    draft = {n: ids[int(u)] for n, u in zip(problem.index.nips, plan.assignment_array, strict=True)}
    return problem, draft


def _movers(problem: Any, draft: dict[str, str]) -> list[str]:
    return [str(e.nip) for e in problem.employees if draft[str(e.nip)] != e.unit]


def test_notices(client: TestClient, drafted: tuple[Any, dict[str, str]]) -> None:
    problem, draft = drafted
    body = {"problem": problem_to_json(problem), "draft": draft, "deadline": "1 Juli 2026"}
    r = client.post("/v1/consultation/notices", json=body)
    assert r.status_code == 200, r.text
    notices = r.json()["notices"]
    assert sorted(n["nip"] for n in notices) == sorted(_movers(problem, draft))
    assert all("1 Juli 2026" in n["how_to_respond"] and n["letter"] for n in notices)


def test_revise_then_solve_keeps_the_accepted_and_drops_the_objected(
    client: TestClient, drafted: tuple[Any, dict[str, str]]
) -> None:
    problem, draft = drafted
    movers = _movers(problem, draft)
    responses = [
        {"nip": movers[0], "response": "keberatan", "reason": "keluarga"},
        {"nip": movers[1], "response": "terima"},
    ]
    body = {"problem": problem_to_json(problem), "draft": draft, "responses": responses}
    r = client.post("/v1/consultation/revise", json=body)
    assert r.status_code == 200, r.text
    revised = problem_from_json(r.json()["problem"])
    plan = solve(revised, workers=1)
    assert plan.has_solution and plan.stage("changes") is not None
    after = dict(zip(revised.index.nips, plan.assignment_array, strict=True))
    ids = revised.index.unit_ids
    assert ids[int(after[movers[1]])] == draft[movers[1]]
    assert ids[int(after[movers[0]])] != draft[movers[0]]


@pytest.mark.parametrize(
    ("response", "column"),
    [
        ({"nip": "nobody", "response": "accept"}, "nip"),  # an unknown NIP
        ({"nip": "{nip}", "response": "maybe"}, "response"),  # an unknown word
        ({"nip": "{nip}", "response": "prefer"}, "units"),  # prefer without units
    ],
)
def test_bad_responses_are_422_with_their_row(
    client: TestClient, drafted: tuple[Any, dict[str, str]], response: dict[str, str], column: str
) -> None:
    problem, draft = drafted
    nip = str(problem.employees[0].nip)
    item = {k: v.format(nip=nip) for k, v in response.items()}
    body = {"problem": problem_to_json(problem), "draft": draft, "responses": [item]}
    r = client.post("/v1/consultation/revise", json=body)
    assert r.status_code == 422, r.text
    issue = r.json()["issues"][0]
    assert (issue["file"], issue["row"], issue["column"]) == ("responses", 2, column)


def test_fairness(client: TestClient) -> None:
    problem = random_problem(2, 5, 3)
    emps = [
        e.replace(priority=float(k), preferred_units=tuple(u.unit for u in problem.units)[:2])
        for k, e in enumerate(problem.employees)
    ]
    problem = problem.replace(employees=tuple(emps))
    home = {str(e.nip): e.unit for e in problem.employees}
    body = {"problem": problem_to_json(problem), "assignment": home}
    r = client.post("/v1/fairness", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"blocking_pairs": [], "unlisted_moves": [], "unlisted_exceptions": []}
    assert np.isfinite(len(r.json()["blocking_pairs"]))


# ---------------------------------------------------------------- replan job
#: the solve options of the replan jobs: counted work, so the plan is the same everywhere
JOB_OPTIONS = {"work_limit": 5, "time_limit": 120, "seed": 0, "workers": 1}


def _wait_done(client: TestClient, job_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll the job until it has ended (as tests/test_service.py's wait_done); its status."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/v1/jobs/{job_id}")
        assert r.status_code == 200, r.text
        status: dict[str, Any] = r.json()
        if status["status"] not in ("queued", "running"):
            return status
        assert time.monotonic() < deadline, f"job {job_id} still {status['status']}"
        time.sleep(0.05)


def _csv(client: TestClient, job_id: str, name: str) -> pd.DataFrame:
    r = client.get(f"/v1/jobs/{job_id}/files/{name}")
    assert r.status_code == 200, r.text
    return pd.read_csv(io.BytesIO(r.content), dtype=str, keep_default_na=False)


def test_replan_job_keeps_the_accepted_drops_the_objected_and_lists_the_changes(
    client: TestClient, drafted: tuple[Any, dict[str, str]]
) -> None:
    problem, draft = drafted
    movers = _movers(problem, draft)
    objector, accepter = movers[0], movers[1]
    responses = [
        {"nip": objector, "response": "keberatan", "reason": "keluarga"},
        {"nip": accepter, "response": "terima"},
    ]
    body = {
        "problem": problem_to_json(problem),
        "draft": draft,
        "responses": responses,
        **JOB_OPTIONS,
    }
    r = client.post("/v1/consultation/replan", json=body)
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] in ("queued", "running")
    assert (job["work_limit"], job["seed"], job["workers"]) == (5, 0, 1)
    assert (job["employees"], job["units"]) == (problem.index.n_employees, problem.index.n_units)

    status = _wait_done(client, job["id"])
    assert status["status"] == "done", status
    assert status["plan_status"] in ("optimal", "feasible")
    assert {"assignment.csv", "summary.json", "changes.csv", "replan.json"} <= set(status["files"])

    result = client.get(f"/v1/jobs/{job['id']}/result")
    assert result.status_code == 200, result.text
    document = result.json()
    after = {row["nip"]: row["unit_after"] for row in document["assignment"]}
    assert set(after) == set(draft)
    assert after[accepter] == draft[accepter]  # the accepted move is kept
    assert after[objector] != draft[objector]  # the objected one is not made
    assert document["summary"]["stopped_by"] != "time_limit"

    # the same revision by the library, with the same options
    own = replan(
        problem,
        draft,
        [Response.model_validate(item) for item in responses],
        SolveParams(**JOB_OPTIONS),
    )
    assert own.plan.assignment_array is not None
    ids = own.problem.index.unit_ids
    assert after == {
        str(e.nip): ids[int(u)]
        for e, u in zip(own.problem.employees, own.plan.assignment_array, strict=True)
    }

    changes = _csv(client, job["id"], "changes.csv")
    changed = {nip for nip in draft if after[nip] != draft[nip]}
    assert sorted(changes["nip"]) == sorted(changed)
    assert objector in changed and accepter not in changed
    assert (changes["cause"] != "").all() and (changes["reason"] != "").all()
    assert set(changes["cause"]) <= {"objection", "preference", "rebalance"}
    row = changes.set_index("nip").loc[objector]
    assert (row["cause"], row["response"]) == ("objection", "object")
    assert (row["draft_unit"], row["unit_after"]) == (draft[objector], after[objector])
    assert (changes["draft_unit"] == changes["nip"].map(draft)).all()
    assert (changes["unit_after"] == changes["nip"].map(after)).all()

    numbers = client.get(f"/v1/jobs/{job['id']}/files/replan.json").json()
    assert numbers == own.summary()
    assert numbers["status"] == status["plan_status"]
    assert (numbers["responses"], numbers["accepted"], numbers["objected"]) == (2, 1, 1)
    assert (numbers["accepted_kept"], numbers["objected_moves_kept"]) == (1, 0)
    assert numbers["changes"] == len(changes) == len(changed)
    assert numbers["draft_moves"] == len(movers)

    outcomes = _csv(client, job["id"], "outcomes.csv")
    assert list(outcomes["nip"]) == [item["nip"] for item in responses]  # in their order
    assert outcomes.set_index("nip")["outcome"].to_dict() == {
        accepter: "kept",
        objector: "honoured",
    }
    assert (outcomes["reason"] != "").all()
    # the revised problem is the next round's: the accepted move pinned, the objected
    # unit refused, every draft unit set; it equals the library's revised problem
    revised = client.get(f"/v1/jobs/{job['id']}/files/problem.json")
    assert revised.status_code == 200 and revised.headers["content-type"] == "application/json"
    assert problem_from_json(revised.json()) == own.problem
    assert own.problem.employee(accepter).pinned_unit == draft[accepter]
    assert draft[objector] in own.problem.employee(objector).refused_units


def test_replan_bad_responses_are_422_with_their_row_and_column(
    client: TestClient, drafted: tuple[Any, dict[str, str]]
) -> None:
    problem, draft = drafted
    nip = str(problem.employees[0].nip)
    responses = [{"nip": nip, "response": "accept"}, {"nip": nip, "response": "maybe"}]
    body = {"problem": problem_to_json(problem), "draft": draft, "responses": responses}
    r = client.post("/v1/consultation/replan", json={**body, **JOB_OPTIONS})
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_input"
    issue = r.json()["issues"][0]
    assert (issue["file"], issue["row"], issue["column"]) == ("responses", 3, "response")
    # as /revise answers the same body
    revised = client.post("/v1/consultation/revise", json=body)
    assert revised.status_code == 422
    assert revised.json()["issues"] == r.json()["issues"]


def test_replan_unknown_nip_in_the_draft_is_422(
    client: TestClient, drafted: tuple[Any, dict[str, str]]
) -> None:
    problem, draft = drafted
    stranger = "199901012020011999"
    body = {
        "problem": problem_to_json(problem),
        "draft": {**draft, stranger: next(iter(draft.values()))},
        "responses": [],
        **JOB_OPTIONS,
    }
    r = client.post("/v1/consultation/replan", json=body)
    assert r.status_code == 422, r.text
    issue = r.json()["issues"][0]
    assert (issue["file"], issue["column"], issue["value"]) == ("draft", "nip", stranger)


def test_replan_options_are_checked_as_for_jobs(
    client: TestClient, drafted: tuple[Any, dict[str, str]]
) -> None:
    problem, draft = drafted
    body = {"problem": problem_to_json(problem), "draft": draft, "responses": []}
    r = client.post("/v1/consultation/replan", json={**body, "workers": 2})  # max_workers=1
    assert r.status_code == 422, r.text
    assert r.json()["issues"][0]["column"] == "workers"
    r = client.post("/v1/consultation/replan", json={**body, "params": {"work_limit": 10_000}})
    assert r.status_code == 422, r.text
    assert r.json()["issues"][0]["column"] == "params.work_limit"


def test_a_replan_job_reports_progress_and_can_be_cancelled(client: TestClient) -> None:
    big = synth.generate(1000, seed=1)
    home = {str(e.nip): e.unit for e in big.employees}
    body = {"problem": problem_to_json(big), "draft": home, "responses": [], "time_limit": 30}
    r = client.post("/v1/consultation/replan", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    deadline = time.monotonic() + 60
    while not client.get(f"/v1/jobs/{job_id}").json()["progress"]["stage"]:
        assert time.monotonic() < deadline, "the replan job reported no progress"
        time.sleep(0.05)
    process = client.app.state.jobs._jobs[job_id].process  # type: ignore[attr-defined]
    r = client.delete(f"/v1/jobs/{job_id}")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert process is not None and not process.is_alive()
    assert client.get(f"/v1/jobs/{job_id}/result").status_code == 409


def test_a_plain_job_offers_no_changes(
    client: TestClient, drafted: tuple[Any, dict[str, str]]
) -> None:
    problem, _ = drafted
    r = client.post("/v1/jobs", json={"problem": problem_to_json(problem), **JOB_OPTIONS})
    assert r.status_code == 202, r.text
    status = _wait_done(client, r.json()["id"])
    assert status["status"] == "done", status
    assert "assignment.csv" in status["files"]
    assert "changes.csv" not in status["files"] and "replan.json" not in status["files"]
    missing = client.get(f"/v1/jobs/{status['id']}/files/changes.csv")
    assert missing.status_code == 404
    assert "changes.csv" in missing.json()["message"]
