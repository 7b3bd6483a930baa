"""The HTTP service over real HTTP: uvicorn on loopback in a thread, httpx clients.

Each server runs the real app (``create_app``) with its job manager, whose
solves run in child processes; the tests compare what comes over the wire with
the library's own answers for the same problem.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pandas as pd
import pytest
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mutasi_opt import (
    Employee,
    Policy,
    Problem,
    Unit,
    current_state,
    problem_to_json,
    solve,
    synth,
    write_folder,
)
from mutasi_opt.cli import main
from mutasi_opt.domain.errors import UsageError
from mutasi_opt.service import Settings, create_app
from mutasi_opt.service.app import openapi_text
from problems import random_problem

REPO = Path(__file__).resolve().parents[1]
OPENAPI_FILE = REPO / "schema" / "openapi.json"
TOKEN = "s3cret-token-for-tests"


# ------------------------------------------------------------------ servers
@dataclass
class Service:
    url: str
    app: FastAPI

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@contextlib.contextmanager
def serve(**options: Any) -> Iterator[Service]:
    """The app with ``Settings(**options)`` served by uvicorn on a free loopback port."""
    app = create_app(Settings(**options))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, log_level="info", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Service(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    """Two solves at once, a long queue, no token."""
    with serve(max_concurrent=2, max_queue=64, max_time_limit=30, max_workers=2) as svc:
        yield svc


def wait_done(client: httpx.Client, job_id: str, timeout: float = 90) -> dict[str, Any]:
    """Poll the job until it has ended; its last status."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/v1/jobs/{job_id}")
        assert r.status_code == 200, r.text
        status: dict[str, Any] = r.json()
        if status["status"] not in ("queued", "running"):
            return status
        assert time.monotonic() < deadline, f"job {job_id} still {status['status']}"
        time.sleep(0.05)


def wait_for(predicate: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def small_problem() -> Problem:
    return synth.generate(40, seed=3)


def assignment_of(document: dict[str, Any]) -> dict[str, str]:
    return {row["nip"]: row["unit_after"] for row in document["assignment"]}


def plan_assignment(problem: Problem, **solve_kwargs: Any) -> dict[str, str]:
    """Each employee's unit after the library's own plan (empty when it has none)."""
    plan = solve(problem, **solve_kwargs)
    if not plan.has_solution:
        return {}
    return {r["nip"]: r["unit_after"] for r in plan.assignment_records()}


# ------------------------------------------------------------------ OpenAPI
def test_openapi_is_checked_in_and_served(service: Service) -> None:
    """schema/openapi.json is exactly what the app generates (any settings) and serves."""
    text = openapi_text(create_app(Settings()))
    assert OPENAPI_FILE.read_text(encoding="utf-8") == text, (
        "schema/openapi.json is stale: run mutasi-opt serve --write-openapi schema/openapi.json"
    )
    other = create_app(Settings(token="x" * 12, max_concurrent=3, max_time_limit=5))
    assert other.openapi() == json.loads(text)
    with service.client() as c:
        assert c.get("/openapi.json").json() == json.loads(text)
    doc = json.loads(text)
    assert set(doc["paths"]) == {
        "/v1/health",
        "/v1/validate",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/result",
        "/v1/jobs/{job_id}/files/{name}",
        # consultation rounds (tests/test_consultation_service.py)
        "/v1/consultation/notices",
        "/v1/consultation/revise",
        "/v1/consultation/replan",
        "/v1/fairness",
    }
    schemas = doc["components"]["schemas"]
    assert {"Problem", "Plan", "JobRequest", "JobStatus", "ErrorResponse"} <= set(schemas)
    assert schemas["JobRequest"]["properties"]["problem"]["$ref"] == "#/components/schemas/Problem"
    # the replan takes the revise body with a job's options, and answers as a job
    replan = schemas["ReplanRequest"]["properties"]
    assert set(schemas["ReviseRequest"]["properties"]) | set(
        schemas["JobRequest"]["properties"]
    ) == set(replan)
    operation = doc["paths"]["/v1/consultation/replan"]["post"]
    assert operation["operationId"] == "consultationReplan"
    assert set(operation["responses"]) == {"202", "401", "413", "415", "422", "429", "503"}
    assert "Location" in operation["responses"]["202"]["headers"]
    refs = {m.group(0) for m in __import__("re").finditer(r'"#/[^"]+"', text)}
    for ref in refs:
        node: Any = doc
        for part in ref.strip('"')[2:].split("/"):
            node = node[part]  # every $ref resolves inside the document


def test_write_openapi_command(tmp_path: Path) -> None:
    out = tmp_path / "api" / "openapi.json"
    assert main(["serve", "--write-openapi", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == OPENAPI_FILE.read_text(encoding="utf-8")


# ----------------------------------------------------------------- the cycle
def test_job_cycle_json(service: Service) -> None:
    """Submit JSON → poll → the plan equals solve() with the same seed and workers → files."""
    problem = small_problem()
    with service.client() as c:
        r = c.post(
            "/v1/jobs",
            json={"problem": problem_to_json(problem), "time_limit": 20, "seed": 0, "workers": 1},
        )
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["location"] == f"/v1/jobs/{job['id']}"
        assert job["status"] in ("queued", "running")
        assert (job["employees"], job["units"]) == (40, problem.index.n_units)
        assert (job["time_limit"], job["seed"], job["workers"]) == (20, 0, 1)
        status = wait_done(c, job["id"])
        assert status["status"] == "done", status
        assert status["plan_status"] == "optimal"
        assert status["progress"]["elapsed_seconds"] > 0
        assert status["files"] == [
            "assignment.csv",
            "moves.csv",
            "units.csv",
            "training.csv",
            "summary.json",
            "report.xlsx",
        ]
        result = c.get(f"/v1/jobs/{job['id']}/result")
        assert result.status_code == 200
        assert result.headers["content-type"] == "application/json"
        document = result.json()
        expected = plan_assignment(problem, time_limit=20, seed=0, workers=1)
        assert assignment_of(document) == expected
        assert document["summary"]["status"] == "optimal"
        assert document["summary"]["moves"] == sum(
            1 for row in document["assignment"] if row["moved"]
        )

        csv = c.get(f"/v1/jobs/{job['id']}/files/assignment.csv")
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv.headers["content-disposition"]
        table = pd.read_csv(io.BytesIO(csv.content), dtype={"nip": str})
        assert dict(zip(table["nip"], table["unit_after"], strict=True)) == expected
        moves = pd.read_csv(io.BytesIO(c.get(f"/v1/jobs/{job['id']}/files/moves.csv").content))
        assert len(moves) == document["summary"]["moves"]
        summary = c.get(f"/v1/jobs/{job['id']}/files/summary.json").json()
        assert summary["moves"] == document["summary"]["moves"]
        assert summary["balance_cost"] == document["summary"]["balance_cost"]
        report = c.get(f"/v1/jobs/{job['id']}/files/report.xlsx")
        assert report.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(report.content))
        assert len(book.sheetnames) >= 4

        # a finished job is deleted by DELETE, then gone
        gone = c.delete(f"/v1/jobs/{job['id']}")
        assert gone.status_code == 200 and gone.json()["status"] == "done"
        assert c.get(f"/v1/jobs/{job['id']}").status_code == 404
        assert c.get(f"/v1/jobs/{job['id']}/result").status_code == 404


def test_result_before_done_and_unknown_file(service: Service) -> None:
    problem = synth.generate(300, seed=5)
    with service.client() as c:
        job = c.post(
            "/v1/jobs", json={"problem": problem_to_json(problem), "time_limit": 2, "workers": 1}
        ).json()
        early = c.get(f"/v1/jobs/{job['id']}/result")
        assert early.status_code == 409
        assert early.json()["error"] == "not_ready"
        assert c.get(f"/v1/jobs/{job['id']}/files/moves.csv").status_code == 409
        assert wait_done(c, job["id"])["status"] == "done"
        bad = c.get(f"/v1/jobs/{job['id']}/files/..%2Fplan.json")
        assert bad.status_code in (404, 422)
        assert c.get(f"/v1/jobs/{job['id']}/files/plan.json").status_code == 422


def test_infeasible_problem_is_a_done_job_with_a_diagnosis(service: Service) -> None:
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
        units=[Unit(unit="A", workload_hours=10), Unit(unit="B", workload_hours=10, min_staff=3)],
        policy=Policy(),
    )
    with service.client() as c:
        job = c.post("/v1/jobs", json={"problem": problem_to_json(problem)}).json()
        status = wait_done(c, job["id"])
        assert (status["status"], status["plan_status"]) == ("done", "infeasible")
        assert status["files"] == ["summary.json", "report.xlsx"]
        document = c.get(f"/v1/jobs/{job['id']}/result").json()
        assert document["assignment"] == []
        assert document["summary"]["diagnosis"]
        missing = c.get(f"/v1/jobs/{job['id']}/files/assignment.csv")
        assert missing.status_code == 404
        assert "summary.json" in missing.json()["message"]


def test_multipart_upload_of_a_data_folder(service: Service, tmp_path: Path) -> None:
    """The files written by write_folder, uploaded as a form, solve like the JSON problem."""
    problem = small_problem()
    folder = write_folder(problem, tmp_path / "city")
    xlsx = write_folder(problem, tmp_path / "city-xlsx", format="xlsx")
    expected = plan_assignment(problem, time_limit=20, seed=0, workers=1)
    with service.client() as c:
        for source in (folder, xlsx):
            files = {
                p.stem: (p.name, p.read_bytes())
                for p in sorted(source.iterdir())
                if p.stem in ("employees", "units", "demand", "requirements", "policy")
            }
            assert {"employees", "units", "demand"} <= set(files)
            r = c.post(
                "/v1/jobs",
                files=files,
                data={"time_limit": "20", "seed": "0", "workers": "1"},
            )
            assert r.status_code == 202, r.text
            status = wait_done(c, r.json()["id"])
            assert status["status"] == "done", status
            document = c.get(f"/v1/jobs/{status['id']}/result").json()
            assert assignment_of(document) == expected

        # validate takes a folder too; the issues name the uploaded file, row and column
        employees = pd.read_csv(folder / "employees.csv", dtype=str, keep_default_na=False)
        employees.loc[0, "fte"] = "2.5"
        bad = {
            "employees": ("pegawai.csv", employees.to_csv(index=False).encode()),
            "units": ("units.csv", (folder / "units.csv").read_bytes()),
            "demand": ("demand.csv", (folder / "demand.csv").read_bytes()),
        }
        r = c.post("/v1/validate", files=bad)
        assert r.status_code == 422
        issues = r.json()["issues"]
        assert [(i["file"], i["row"], i["column"], i["value"]) for i in issues] == [
            ("employees.csv", 2, "fte", "2.5")
        ]

        # an old .xls workbook gets the folder reader's advice
        old = {**bad, "employees": ("pegawai.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60)}
        r = c.post("/v1/validate", files=old)
        assert r.status_code == 422
        assert [(i["file"], i["message"]) for i in r.json()["issues"]] == [
            ("employees.xls", "old .xls workbooks are not read; save it as .xlsx or .csv")
        ]

        # unknown and missing parts are named
        r = c.post("/v1/jobs", files={"employee": ("e.csv", b"nip,unit\n1,A\n")})
        assert r.status_code == 422
        columns = {i["column"] for i in r.json()["issues"]}
        assert {"employee", "employees", "units"} <= columns


def test_job_with_a_work_limit(service: Service, tmp_path: Path) -> None:
    """A work-limited job (JSON or multipart) gives the plan of solve() with the same work
    limit, seed and workers; its status and summary show the limits."""
    problem = small_problem()
    options = {"work_limit": 2.0, "time_limit": 25, "seed": 1, "workers": 1}
    expected = plan_assignment(problem, work_limit=2.0, time_limit=25, seed=1, workers=1)
    assert expected
    folder = write_folder(problem, tmp_path / "city")
    with service.client() as c:
        r = c.post("/v1/jobs", json={"problem": problem_to_json(problem), **options})
        assert r.status_code == 202, r.text
        job = r.json()
        assert (job["work_limit"], job["time_limit"]) == (2.0, 25)
        files = {p.stem: (p.name, p.read_bytes()) for p in sorted(folder.iterdir())}
        form = c.post("/v1/jobs", files=files, data={k: str(v) for k, v in options.items()})
        assert form.status_code == 202, form.text
        assert form.json()["work_limit"] == 2.0
        for job_id in (job["id"], form.json()["id"]):
            status = wait_done(c, job_id)
            assert status["status"] == "done", status
            assert status["work_limit"] == 2.0
            document = c.get(f"/v1/jobs/{job_id}/result").json()
            summary = document["summary"]
            assert (summary["work_limit"], summary["time_limit"]) == (2.0, 25)
            assert 0 < summary["work_used"] <= 2.0 * (1 + 1e-9)
            assert summary["stopped_by"] != "time_limit"
            assert assignment_of(document) == expected
            assert c.get(f"/v1/jobs/{job_id}/files/summary.json").json() == summary

        # without a work limit the job has none (and still the default time limit)
        r = c.post("/v1/jobs", json={"problem": problem_to_json(problem), "workers": 1})
        assert r.status_code == 202
        assert r.json()["work_limit"] is None
        assert r.json()["time_limit"] == service.app.state.settings.time_limit_default
        assert wait_done(c, r.json()["id"])["status"] == "done"
        document = c.get(f"/v1/jobs/{r.json()['id']}/result").json()
        assert document["summary"]["work_limit"] is None

        # the text field is checked as the JSON one is: above the cap, zero or negative
        for text in ("601", "0", "-2"):
            r = c.post("/v1/jobs", files=files, data={"work_limit": text})
            assert r.status_code == 422, text
            assert [i["column"] for i in r.json()["issues"]] == ["work_limit"]
        r = c.post("/v1/jobs", files=files, data={"work_limit": "601"})
        assert "at most 600 work units" in r.json()["issues"][0]["message"]


def test_validate(service: Service) -> None:
    problem = small_problem()
    with service.client() as c:
        r = c.post("/v1/validate", json=problem_to_json(problem), params={"top": 5})
        assert r.status_code == 200
        state = json.loads(json.dumps(current_state(problem, top=5).to_dict()))
        assert r.json() == {**state, "warnings": []}

        document = problem_to_json(problem)
        document["employees"][3]["unit"] = "NO-SUCH-UNIT"
        document["employees"][7]["fte"] = 0
        document["units"].append(dict(document["units"][0]))
        r = c.post("/v1/validate", json=document)
        assert r.status_code == 422
        body = r.json()
        assert body["error"] == "invalid_input"
        found = {(i["file"], i["row"], i["column"]) for i in body["issues"]}
        assert ("problem.json", 4, "unit") in found
        assert ("problem.json", 8, "fte") in found
        assert ("problem.json", len(document["units"]), "unit") in found
        assert all(i["message"] for i in body["issues"])

        for content, media in (
            (b"{not json", "application/json"),
            (b"[1, 2]", "application/json"),
            (b'{"employees": NaN}', "application/json"),
        ):
            r = c.post("/v1/validate", content=content, headers={"content-type": media})
            assert r.status_code == 422, content
            assert r.json()["issues"][0]["message"]
        r = c.post("/v1/validate", content=b"a,b", headers={"content-type": "text/csv"})
        assert r.status_code == 415


def test_job_options_are_checked(service: Service) -> None:
    document = problem_to_json(small_problem())
    with service.client() as c:
        cases = [
            ({"time_limit": 31}, "time_limit"),  # above the server's cap: refused, not cut
            ({"time_limit": 0}, "time_limit"),
            ({"work_limit": 601}, "work_limit"),  # above the server's cap (600 by default)
            ({"work_limit": 0}, "work_limit"),
            ({"work_limit": -1.5}, "work_limit"),
            ({"work_limit": "lots"}, "work_limit"),
            ({"workers": 3}, "workers"),
            ({"seed": -1}, "seed"),
            ({"colour": "red"}, "colour"),
        ]
        for options, column in cases:
            r = c.post("/v1/jobs", json={"problem": document, **options})
            assert r.status_code == 422, options
            assert [i["column"] for i in r.json()["issues"]] == [column]
        r = c.post("/v1/jobs", json={"time_limit": 5})
        assert r.status_code == 422
        assert [i["column"] for i in r.json()["issues"]] == ["problem"]
        assert service.app.state.jobs.counts()["queued"] == 0


# ------------------------------------------------------------------ security
def test_bearer_token() -> None:
    with serve(token=TOKEN) as svc:
        document = problem_to_json(small_problem())
        with svc.client() as anonymous:
            assert anonymous.get("/v1/health").status_code == 200
            assert anonymous.get("/openapi.json").status_code == 200  # no data in it
            for method, path, body in (
                ("GET", "/v1/jobs/abc", None),
                ("DELETE", "/v1/jobs/abc", None),
                ("GET", "/v1/jobs/abc/result", None),
                ("POST", "/v1/validate", document),
                ("POST", "/v1/jobs", {"problem": document}),
            ):
                r = anonymous.request(method, path, json=body)
                assert r.status_code == 401, (method, path)
                assert r.headers["www-authenticate"] == "Bearer"
                assert r.json()["error"] == "unauthorized"
        for wrong in ("wrong", TOKEN[:-1], TOKEN + "x", "Bearer"):
            with svc.client(wrong) as c:
                assert c.get("/v1/jobs/abc").status_code == 401
        with httpx.Client(base_url=svc.url, headers={"Authorization": f"Basic {TOKEN}"}) as c:
            assert c.get("/v1/jobs/abc").status_code == 401
        with svc.client(TOKEN) as c:
            assert c.get("/v1/jobs/abc").status_code == 404  # past the door
            assert c.post("/v1/validate", json=document).status_code == 200
        assert svc.app.state.jobs.counts()["queued"] == 0


def test_body_size_limit() -> None:
    with serve(max_body_bytes=4096) as svc:
        body_size_checks(svc)


def body_size_checks(svc: Service) -> None:
    with svc.client() as c:
        big = {"problem": {"employees": [{"nip": str(i), "unit": "A"} for i in range(400)]}}
        r = c.post("/v1/jobs", json=big)
        assert r.status_code == 413
        assert r.json()["error"] == "too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b" " * 1000

        r = c.post("/v1/validate", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        files = {"employees": ("employees.csv", b"nip,unit\n" + b"1,A\n" * 2000)}
        assert c.post("/v1/validate", files=files).status_code == 413
    # the same server still answers, and takes a body under the limit
    with svc.client() as c:
        assert c.get("/v1/health").status_code == 200
        small = problem_to_json(
            Problem(
                employees=[Employee(nip="E1", unit="A")], units=[Unit(unit="A", workload_hours=9)]
            )
        )
        assert len(json.dumps(small)) < 4096
        assert c.post("/v1/validate", json=small).status_code == 200


# ------------------------------------------------------------------ the queue
def test_queue_saturation_is_answered_with_429() -> None:
    """One slot, two waiting: the rest get 429 with Retry-After; accepted jobs all finish."""
    document = problem_to_json(synth.generate(100, seed=2))
    with serve(max_concurrent=1, max_queue=2, max_workers=1) as svc, svc.client() as c:
        answers = [
            c.post("/v1/jobs", json={"problem": document, "time_limit": 2}) for _ in range(8)
        ]
        codes = [r.status_code for r in answers]
        assert set(codes) <= {202, 429}, codes
        assert codes[:3] == [202, 202, 202]
        assert 429 in codes
        for r in answers:
            if r.status_code == 429:
                assert int(r.headers["retry-after"]) >= 1
                assert r.json()["error"] == "queue_full"
        assert c.get("/v1/health").json()["queued"] <= 2
        accepted = [r.json()["id"] for r in answers if r.status_code == 202]
        for job_id in accepted:
            assert wait_done(c, job_id)["status"] == "done"
        # room again
        r = c.post("/v1/jobs", json={"problem": document, "time_limit": 2})
        assert r.status_code == 202
        assert wait_done(c, r.json()["id"])["status"] == "done"


def test_cancel_queued_and_running_jobs() -> None:
    big = problem_to_json(synth.generate(1000, seed=1))
    small = problem_to_json(small_problem())
    with serve(max_concurrent=1, max_queue=4, max_workers=1) as svc, svc.client() as c:
        running = c.post("/v1/jobs", json={"problem": big, "time_limit": 30}).json()
        queued = c.post("/v1/jobs", json={"problem": small, "time_limit": 5}).json()
        assert queued["status"] == "queued" and queued["queue_position"] == 1

        r = c.delete(f"/v1/jobs/{queued['id']}")
        assert r.status_code == 200
        assert r.json()["status"] == "cancelled" and r.json()["started_at"] is None

        # let the big solve get going, then stop it
        wait_for(lambda: c.get(f"/v1/jobs/{running['id']}").json()["progress"]["stage"])
        job = svc.app.state.jobs._jobs[running["id"]]
        pid = job.process.pid
        t0 = time.monotonic()
        r = c.delete(f"/v1/jobs/{running['id']}")
        assert r.status_code == 200
        assert r.json()["status"] == "cancelled"
        assert time.monotonic() - t0 < 10
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the solver process is gone (and reaped)
        assert c.get(f"/v1/jobs/{running['id']}/result").status_code == 409

        # the cancelled queued job never started; the slot is free for new work
        time.sleep(0.3)
        again = c.get(f"/v1/jobs/{queued['id']}").json()
        assert again["status"] == "cancelled" and again["started_at"] is None
        fresh = c.post("/v1/jobs", json={"problem": small, "time_limit": 5}).json()
        assert wait_done(c, fresh["id"])["status"] == "done"


def test_fifty_concurrent_submissions_lose_no_job() -> None:
    """50 different small problems submitted at once: every one solved, each to its own plan."""
    problems = [random_problem(seed, 8, 3) for seed in range(50)]
    expected = [plan_assignment(p, time_limit=5, seed=0, workers=1) for p in problems]
    with serve(max_concurrent=2, max_queue=64, max_workers=1) as svc:

        def submit(problem: Problem) -> str:
            with svc.client() as c:
                body = {"problem": problem_to_json(problem), "time_limit": 5, "workers": 1}
                r = c.post("/v1/jobs", json=body)
                assert r.status_code == 202, r.text
                job_id: str = r.json()["id"]
                return job_id

        with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
            ids = list(pool.map(submit, problems))
        assert len(set(ids)) == 50
        with svc.client() as c:
            running = c.get("/v1/health").json()
            assert running["running"] <= 2
            for job_id, want in zip(ids, expected, strict=True):
                status = wait_done(c, job_id, timeout=120)
                assert status["status"] == "done", status
                assert status["plan_status"] in ("optimal", "infeasible")
                assert assignment_of(c.get(f"/v1/jobs/{job_id}/result").json()) == want
        assert svc.app.state.jobs.counts()["done"] == 50


def test_finished_jobs_expire_and_the_oldest_go_first() -> None:
    document = problem_to_json(random_problem(1, 6, 3))
    with serve(job_ttl=1.0, max_jobs_kept=2, max_workers=1) as svc, svc.client() as c:
        ids = []
        for _ in range(3):
            job = c.post("/v1/jobs", json={"problem": document, "time_limit": 2}).json()
            assert wait_done(c, job["id"])["status"] == "done"
            ids.append(job["id"])
        # three finished, two kept: the first one is gone with its folder
        assert c.get(f"/v1/jobs/{ids[0]}").status_code == 404
        assert [c.get(f"/v1/jobs/{i}").status_code for i in ids[1:]] == [200, 200]
        root = svc.app.state.jobs._root
        assert sorted(p.name for p in root.iterdir()) == sorted(ids[1:])
        wait_for(lambda: c.get(f"/v1/jobs/{ids[2]}").status_code == 404, timeout=10)
        assert list(root.iterdir()) == []
    assert not root.exists()  # the temporary jobs' folder goes at shutdown


def test_a_crashed_solver_fails_its_job_and_shutdown_stops_running_solves() -> None:
    big = problem_to_json(synth.generate(1000, seed=1))
    small = problem_to_json(random_problem(2, 6, 3))
    with serve(max_concurrent=1, max_workers=1) as svc, svc.client() as c:
        job = c.post("/v1/jobs", json={"problem": big, "time_limit": 30}).json()
        wait_for(lambda: c.get(f"/v1/jobs/{job['id']}").json()["status"] == "running")
        os.kill(svc.app.state.jobs._jobs[job["id"]].process.pid, signal.SIGKILL)
        status = wait_done(c, job["id"])
        assert status["status"] == "failed"
        assert "exit code -9" in status["error"]
        assert c.get(f"/v1/jobs/{job['id']}/result").status_code == 409
        # the slot is free again
        after = c.post("/v1/jobs", json={"problem": small, "time_limit": 5}).json()
        assert wait_done(c, after["id"])["status"] == "done"
        # a solve still running when the server stops is stopped with it
        last = c.post("/v1/jobs", json={"problem": big, "time_limit": 30}).json()
        wait_for(lambda: c.get(f"/v1/jobs/{last['id']}").json()["status"] == "running")
        pid = svc.app.state.jobs._jobs[last["id"]].process.pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_internal_errors_answer_500_and_log_no_message(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import mutasi_opt.planning.state as state_module

    secret = "198703122010011004 Siti Aminah"

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"unexpected value {secret}")

    monkeypatch.setattr(state_module, "current_state", broken)
    with caplog.at_level(logging.INFO), service.client() as c:
        r = c.post("/v1/validate", json=problem_to_json(small_problem()))
        assert r.status_code == 500
        assert r.json()["error"] == "internal_error"
        assert secret not in r.text
        assert c.get("/v1/health").status_code == 200
    logged = "\n".join(f"{rec.getMessage()} {rec.exc_text or ''}" for rec in caplog.records)
    assert "internal error RuntimeError" in logged
    assert "198703122010011004" not in logged and "Siti" not in logged


def test_settings_from_the_environment(capsys: pytest.CaptureFixture[str]) -> None:
    env = {
        "MUTASI_OPT_TOKEN": "abc",
        "MUTASI_OPT_MAX_CONCURRENT": "3",
        "MUTASI_OPT_MAX_QUEUE": "5",
        "MUTASI_OPT_MAX_TIME_LIMIT": "20",
        "MUTASI_OPT_MAX_WORK_LIMIT": "40",
        "MUTASI_OPT_MAX_WORKERS": "6",
        "MUTASI_OPT_JOB_TTL": "90",
    }
    cfg = Settings.from_env(env, max_queue=7)
    assert (cfg.token, cfg.max_concurrent, cfg.max_queue, cfg.max_time_limit) == ("abc", 3, 7, 20)
    assert cfg.time_limit_default == 20  # 60 s, but not above the maximum
    assert cfg.workers_default == 2  # six threads shared by three solves
    assert cfg.job_ttl == 90
    assert cfg.max_work_limit == 40
    assert Settings().max_work_limit == 600
    with pytest.raises(UsageError) as err:
        Settings.from_env({"MUTASI_OPT_MAX_QUEUE": "many", "MUTASI_OPT_JOB_TTL": "soon"})
    assert "MUTASI_OPT_MAX_QUEUE='many' is not a whole number" in str(err.value)
    assert "MUTASI_OPT_JOB_TTL='soon' is not a number" in str(err.value)
    with pytest.raises(UsageError, match="MUTASI_OPT_MAX_CONCURRENT must be at least 1"):
        Settings(max_concurrent=0)
    with pytest.raises(UsageError, match="MUTASI_OPT_MAX_WORK_LIMIT must be a positive"):
        Settings(max_work_limit=0)
    with pytest.raises(UsageError, match="must not exceed MUTASI_OPT_MAX_TIME_LIMIT"):
        Settings(default_time_limit=100, max_time_limit=50)


def test_serve_command_runs_and_stops(tmp_path: Path) -> None:
    """``mutasi-opt serve`` in its own process: answers, then stops cleanly on SIGINT."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MUTASI_OPT_TOKEN": TOKEN, "MUTASI_OPT_MAX_QUEUE": "3"}
    cmd = [sys.executable, "-m", "mutasi_opt.cli", "serve", "--port", str(port)]
    jobs_dir = tmp_path / "jobs"
    proc = subprocess.Popen(
        [*cmd, "--max-time-limit", "10", "--max-work-limit", "5", "--job-dir", str(jobs_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        document = problem_to_json(random_problem(3, 6, 3))
        assert httpx.post(f"{url}/v1/jobs", json={"problem": document}).status_code == 401
        r = httpx.post(f"{url}/v1/jobs", json={"problem": document}, headers=headers)
        assert r.status_code == 202
        assert r.json()["time_limit"] == 10  # the default (60 s) is capped at the maximum
        with httpx.Client(base_url=url, headers=headers) as c:
            assert wait_done(c, r.json()["id"])["status"] == "done"
        assert [p.name for p in jobs_dir.iterdir()] == [r.json()["id"]]
        r = httpx.post(
            f"{url}/v1/jobs", json={"problem": document, "time_limit": 11}, headers=headers
        )
        assert r.status_code == 422
        assert "at most 10 seconds" in r.json()["issues"][0]["message"]
        r = httpx.post(
            f"{url}/v1/jobs", json={"problem": document, "work_limit": 6}, headers=headers
        )
        assert r.status_code == 422
        assert r.json()["issues"][0]["column"] == "work_limit"
        assert "at most 5 work units" in r.json()["issues"][0]["message"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "bearer token required" in out
    assert "job manager stopped" in out
    assert list(jobs_dir.iterdir()) == []  # no file of a job outlives the server


def test_serve_without_fastapi_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "fastapi" else real(name, *a),
    )
    assert main(["serve"]) == 1
    assert 'pip install "mutasi-opt[service]"' in capsys.readouterr().err


# ------------------------------------------------------------------- logging
def test_logs_carry_no_nip_or_name(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    problem = synth.generate(40, seed=8)
    nips = [e.nip for e in problem.employees]
    names = [e.name for e in problem.employees if len(e.name) > 5]
    document = problem_to_json(problem)
    duplicate = problem_to_json(problem)
    duplicate["employees"].append(dict(duplicate["employees"][0]))  # issue quotes the NIP
    folder = write_folder(problem, tmp_path / "city")
    with (
        caplog.at_level(logging.DEBUG),
        serve(max_time_limit=10, max_workers=1) as svc,
        svc.client() as c,
    ):
        job = c.post("/v1/jobs", json={"problem": document, "time_limit": 10}).json()
        assert wait_done(c, job["id"])["status"] == "done"
        c.get(f"/v1/jobs/{job['id']}/result")
        c.get(f"/v1/jobs/{job['id']}/files/moves.csv")
        assert c.post("/v1/validate", json=document).status_code == 200
        assert c.post("/v1/jobs", json={"problem": duplicate}).status_code == 422
        upload = {p.stem: (p.name, p.read_bytes()) for p in folder.iterdir() if p.suffix == ".csv"}
        upload["employees"] = ("employees.csv", upload["employees"][1] + b"\n,,,2\n")
        assert c.post("/v1/validate", files=upload).status_code == 422
        c.delete(f"/v1/jobs/{job['id']}")
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert job["id"] in text  # the job's life is logged ...
    assert "done" in text and "queued" in text
    leaked = [v for v in (*nips, *names) if v in text]
    assert leaked == []  # ... without a NIP or a name


# ---------------------------------------------------------------- schemathesis
@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Service]:
    """A server with a token, one slot and a tiny queue and time limit for random input."""
    with serve(token=TOKEN, max_concurrent=1, max_queue=2, max_time_limit=1, max_workers=1) as svc:
        yield svc


#: Checks on every fuzzed answer: no 5xx, and status, content type and body as documented.
FUZZ_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(strategy: Any, headers: dict[str, str], statuses: list[int]) -> None:
    """Call the API with up to 10 cases of ``strategy``; every answer passes FUZZ_CHECKS."""

    @given(case=strategy)
    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(headers=headers, timeout=30)
        statuses.append(response.status_code)
        case.validate_response(response, checks=FUZZ_CHECKS, headers=headers)

    check()


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_schemathesis_finds_no_server_error(fuzzed: Service, mode: GenerationMode) -> None:
    """Schema-valid (positive) and schema-breaking (negative) requests to every operation:
    no 5xx, and every answer is one the OpenAPI document describes."""
    api = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 11  # 7, and the 4 consultation operations
    statuses: list[int] = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.path == "/v1/health":
            continue  # nothing to break
        fuzz(operation.as_strategy(generation_mode=mode), headers, statuses)
    assert statuses and max(statuses) < 500
    if mode is GenerationMode.NEGATIVE:
        return
    # random documents are rarely valid problems: also a valid one, and a real job's answers
    document = problem_to_json(random_problem(4, 6, 3))
    with fuzzed.client(TOKEN) as c:
        job = c.post("/v1/jobs", json={"problem": document, "time_limit": 1}).json()
        assert wait_done(c, job["id"])["status"] == "done"
    for operation in operations:
        if operation.method == "get" and "{job_id}" in operation.path:
            strategy = operation.as_strategy(path_parameters={"job_id": job["id"]})
        elif operation.path == "/v1/jobs":
            body = {"problem": document, "time_limit": 1}
            strategy = operation.as_strategy(body=body, media_type="application/json")
        elif operation.path == "/v1/validate":
            strategy = operation.as_strategy(body=document, media_type="application/json")
        else:
            continue
        fuzz(strategy, headers, statuses)
    assert {200, 202} <= set(statuses)
    with fuzzed.client(TOKEN) as c:
        assert c.get("/v1/health").status_code == 200
