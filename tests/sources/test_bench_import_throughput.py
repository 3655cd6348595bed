"""bench/import_throughput.py runs end to end on a small batch and prints its figures."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_throughput_benchmark_runs_on_twenty_documents(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}

    completed = subprocess.run(  # noqa: S603 (our own script, with our own interpreter)
        [sys.executable, str(ROOT / "bench" / "import_throughput.py"), "--documents", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.splitlines()
    assert lines[0] == "database: sqlite; 20 documents (10 text, 10 HTML)"
    assert lines[1].startswith("read_document (no database): ")
    assert lines[2].startswith("document_import: ")
    assert lines[3].startswith("baseline bulk_create, no normalisation: ")
    assert all(line.split(": ", 1)[1].split()[0].isdigit() for line in lines[1:4])
