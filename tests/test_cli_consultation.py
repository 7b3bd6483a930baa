"""``mutasi-opt consult``, ``replan`` and ``check --blocking-pairs`` end to end:
a draft, its notices, responses, two rounds of revision, files and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mutasi_opt import check_plan, read_folder, synth, write_folder
from mutasi_opt.cli import main
from mutasi_opt.io.assignments import read_assignment

LIMITS = ["--work-limit", "0.5", "--workers", "1"]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic city and its draft plan (solved with a work limit)."""
    root = tmp_path_factory.mktemp("city")
    folder = write_folder(synth.generate(120, seed=4, max_moves=12), root / "city")
    assert main(["solve", str(folder), "--out", str(root / "draft"), *LIMITS]) == 0
    return folder, root / "draft"


def _frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_consult_then_two_rounds_of_replan(drafted: tuple[Path, Path], tmp_path: Path) -> None:
    folder, draft = drafted
    notices = tmp_path / "notices"
    assert main(["consult", str(folder), "--plan", str(draft), "--out", str(notices)]) == 0
    letters = _frame(notices / "notices.csv")
    moved = _frame(draft / "moves.csv")
    assert sorted(letters.nip) == sorted(moved.nip)
    assert (notices / "notices.xlsx").exists()
    template = _frame(notices / "responses.csv")
    assert list(template.columns) == ["nip", "name", "response", "units", "reason"]
    # one mover accepts, one objects (in Indonesian)
    template.loc[0, "response"] = "terima"
    template.loc[1, "response"] = "keberatan"
    template.loc[1, "reason"] = "merawat orang tua"
    answered = template[template.response != ""]
    answered.to_csv(tmp_path / "responses.csv", index=False)
    one = tmp_path / "round1"
    code = main(
        [
            "replan",
            str(folder),
            "--draft",
            str(draft),
            "--responses",
            str(tmp_path / "responses.csv"),
            "--out",
            str(one),
            *LIMITS,
        ]
    )
    assert code == 0
    summary = json.loads((one / "replan.json").read_text(encoding="utf-8"))
    assert summary["accepted"] == summary["accepted_kept"] == 1
    assert summary["objected"] == 1 and summary["objected_moves_kept"] == 0
    after = _frame(one / "assignment.csv").set_index("nip").unit_after
    drafted_units = _frame(draft / "assignment.csv").set_index("nip").unit_after
    accepter, objector = template.nip[0], template.nip[1]
    assert after[accepter] == drafted_units[accepter]
    assert after[objector] != drafted_units[objector]
    changes = _frame(one / "changes.csv")
    assert objector in set(changes.nip)
    assert changes.set_index("nip").cause[objector] == "objection"
    outcomes = _frame(one / "outcomes.csv").set_index("nip")
    assert list(outcomes.index) == [accepter, objector]
    assert list(outcomes.outcome) == ["kept", "honoured"]
    assert outcomes.reason[objector].startswith("objected to ")
    assert "(merawat orang tua)" in outcomes.reason[objector]
    revised = read_folder(one / "problem")
    assert check_plan(revised, read_assignment(one / "assignment.csv", revised)) == []
    assert revised.employee(accepter).pinned_unit == drafted_units[accepter]
    # a second round on the first one's problem: the first round's pin still holds
    (tmp_path / "round2.csv").write_text("nip,response\n", encoding="utf-8")
    two = tmp_path / "round2"
    args = ["replan", str(one / "problem"), "--draft", str(one), "--out", str(two)]
    assert main([*args, "--responses", str(tmp_path / "round2.csv"), *LIMITS]) == 0
    assert _frame(two / "assignment.csv").set_index("nip").unit_after[accepter] == after[accepter]


def test_bad_responses_exit_1_with_the_row(
    drafted: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, draft = drafted
    (tmp_path / "responses.csv").write_text("nip,response\n123,maybe\n", encoding="utf-8")
    code = main(
        [
            "replan",
            str(folder),
            "--draft",
            str(draft),
            "--responses",
            str(tmp_path / "responses.csv"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "responses.csv, row 2, column 'response'" in err


def test_check_writes_the_blocking_pairs(
    drafted: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, draft = drafted
    out = tmp_path / "pairs.csv"
    args = ["check", str(folder), str(draft / "assignment.csv"), "--blocking-pairs", str(out)]
    assert main([*args, "--service-as-of", "2026-01"]) == 0
    pairs = _frame(out)
    assert list(pairs.columns)[:4] == ["nip", "name", "unit", "rank"]
    assert "blocking pair(s)" in capsys.readouterr().out
    assert main([*args, "--service-as-of", "someday"]) == 1
