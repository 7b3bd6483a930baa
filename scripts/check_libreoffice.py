"""CI check: the Excel report of the sample opens in LibreOffice (headless PDF conversion).

    python scripts/check_libreoffice.py

Solves the embedded sample (5 s), writes the report in Indonesian and in
English and converts each with ``soffice --headless --convert-to pdf`` under
a private profile.  Exits 1, saying why, when LibreOffice is missing or a
conversion fails or gives no PDF.  ``.ci/run`` installs LibreOffice and runs
this; the pytest suite does not need LibreOffice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mutasi_opt import load_sample, solve, write_report


def main() -> int:
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.stderr.write("error: LibreOffice (soffice) is not installed\n")
        return 1
    plan = solve(load_sample(), time_limit=5, workers=2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for lang in ("id", "en"):
            xlsx = write_report(plan, root / f"report_{lang}.xlsx", lang=lang)
            done = subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={(root / 'lo').as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(root),
                    str(xlsx),
                ],
                capture_output=True,
                timeout=180,
                check=False,
            )
            pdf = xlsx.with_suffix(".pdf")
            if done.returncode != 0 or not pdf.is_file():
                sys.stderr.write(
                    f"error: LibreOffice could not convert {xlsx.name} "
                    f"(exit {done.returncode}): {done.stderr.decode(errors='replace')[-500:]}\n"
                )
                return 1
            data = pdf.read_bytes()
            if not data.startswith(b"%PDF") or len(data) < 1000:
                sys.stderr.write(f"error: {pdf.name} is not a PDF ({len(data)} bytes)\n")
                return 1
            print(f"{xlsx.name} → {pdf.name}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
