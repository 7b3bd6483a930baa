"""The example scripts run as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_quickstart_runs_and_writes_the_plan_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Plan status:" in done.stdout
    assert "stays" in done.stdout  # the why-not of someone who stays
    written = sorted(p.name for p in (tmp_path / "out" / "quickstart").iterdir())
    assert written == ["assignment.csv", "moves.csv", "summary.json", "training.csv", "units.csv"]
