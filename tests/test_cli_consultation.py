"""``mutasi-opt consult``, ``replan`` and ``check --blocking-pairs`` end to end:
a draft, its notices (and their letters, ``.docx``), responses, two rounds of
revision, files and exit codes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import docx
import pandas as pd
import pytest

from mutasi_opt import check_plan, notice_records, read_folder, synth, write_folder, write_notices
from mutasi_opt.cli import main
from mutasi_opt.io.assignments import read_assignment
from mutasi_opt.io.consultation import LETTER_DIR, LETTER_HEADING
from mutasi_opt.results.plan import Plan

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


def _notices(drafted: tuple[Path, Path]) -> list[dict[str, object]]:
    """The notices of the draft (with the askers who stay), as ``consult --askers``."""
    folder, draft = drafted
    problem = read_folder(folder)
    plan = Plan.from_solution(
        problem, read_assignment(draft / "assignment.csv", problem), stages=(), solve_seconds=0.0
    )
    return notice_records(plan, askers=True, deadline="15 Juli 2026")


def _docx_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    """A letter's paragraphs and its tables (rows of cell texts), read back."""
    document = docx.Document(str(path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return [p.text for p in document.paragraphs], tables


def test_write_notices_writes_one_letter_per_notice(
    drafted: tuple[Path, Path], tmp_path: Path
) -> None:
    records = _notices(drafted)
    assert {r["moved"] for r in records} == {True, False}  # movers and askers who stay
    written = write_notices(records, tmp_path / "out", xlsx=False, docx=True)
    letters = tmp_path / "out" / LETTER_DIR
    expected = [letters / f"{r['nip']}.docx" for r in records]
    csv_files = [tmp_path / "out" / "notices.csv", tmp_path / "out" / "responses.csv"]
    assert written == [*csv_files, *expected]
    assert sorted(letters.iterdir()) == sorted(expected)
    for record, path in zip(records, expected, strict=True):
        paragraphs, tables = _docx_text(path)
        assert paragraphs[0] == LETTER_HEADING
        cells = [cell for table in tables for row in table for cell in row]
        text = "\n".join(paragraphs + cells)
        for column in ("name", "nip", "role", "unit_before", "unit_after"):
            assert str(record[column]) in text, column
        body = [part for part in str(record["letter"]).split("\n\n") if part.strip()]
        assert len(body) >= 4
        at = [paragraphs.index(part) for part in body]  # each a paragraph of its own
        assert at == sorted(at)  # in the letter's order
        assert "LEMBAR TANGGAPAN" in paragraphs[at[-1] :]
        slip = tables[-1]
        assert [row[0] for row in slip] == [
            "NIP",
            "Nama",
            "Tanggapan",
            "Alasan",
            "Tanda tangan / tanggal",
        ]
        assert slip[0][1] == record["nip"] and slip[1][1] == record["name"]
        assert all(f"\u2610 {r}" in slip[2][1] for r in ("terima", "keberatan", "pilih unit"))


def test_write_notices_without_python_docx_writes_nothing(
    drafted: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _notices(drafted)
    monkeypatch.setitem(sys.modules, "docx", None)
    with pytest.raises(ImportError, match=re.escape('pip install "mutasi-opt[docx]"')):
        write_notices(records, tmp_path / "out", xlsx=False, docx=True)
    assert not (tmp_path / "out").exists()
    # without docx the library is not needed
    assert write_notices(records, tmp_path / "out", xlsx=False)[-1].name == "responses.csv"


def test_write_notices_refuses_a_nip_that_cannot_name_a_file(
    drafted: tuple[Path, Path], tmp_path: Path
) -> None:
    records = _notices(drafted)
    for bad, message in (("../x", "is not digits"), (records[0]["nip"], "two notices")):
        changed = [*records, {**records[-1], "nip": bad}]
        with pytest.raises(ValueError, match=message):
            write_notices(changed, tmp_path / "out", xlsx=False, docx=True)
        assert not (tmp_path / "out").exists()


def test_consult_docx_writes_the_letters(
    drafted: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, draft = drafted
    out = tmp_path / "notices"
    args = ["consult", str(folder), "--plan", str(draft), "--out", str(out), "--no-xlsx"]
    assert main([*args, "--docx"]) == 0
    nips = sorted(_frame(out / "notices.csv").nip)
    assert nips
    assert sorted(p.name for p in (out / LETTER_DIR).iterdir()) == [f"{n}.docx" for n in nips]
    printed = capsys.readouterr().out
    assert f"{len(nips)} letters in {out / LETTER_DIR}/" in printed  # one line, not each path
    assert ".docx" not in printed


def test_consult_docx_without_python_docx_exits_1_with_the_hint(
    drafted: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, draft = drafted
    monkeypatch.setitem(sys.modules, "docx", None)
    out = tmp_path / "notices"
    args = ["consult", str(folder), "--plan", str(draft), "--out", str(out), "--docx"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert 'pip install "mutasi-opt[docx]"' in err
    assert "Traceback" not in err
    assert not (out / "notices.csv").exists()
