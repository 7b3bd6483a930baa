"""The service's consultation endpoints: notices, revising a draft, fairness."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from mutasi_opt import problem_from_json, problem_to_json, solve
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
