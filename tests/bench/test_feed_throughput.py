"""bench/feed_throughput.py runs end to end on a small feed, with a real worker, and prints."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_feed_throughput_benchmark_runs_on_twenty_items(tmp_path, redis_url):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    broker = redis_url.rsplit("/", 1)[0] + "/5"  # the benchmark flushes its broker database

    completed = subprocess.run(  # noqa: S603 (our own script, with our own interpreter)
        [
            sys.executable,
            *(["-S"] if sys.flags.no_site else []),
            str(ROOT / "bench" / "feed_throughput.py"),
            "--items",
            "20",
            "--broker",
            broker,
            "--timeout",
            "240",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.splitlines()
    assert lines[0] == f"database: sqlite; 20 RSS items per run; broker: {broker}"
    assert lines[1].startswith("feed_ingest in-process: ")
    assert lines[2].startswith("ingest_feed by one Celery worker: ")
    assert lines[3].startswith("baseline bulk_create, no parsing or import: ")
    assert all(line.split(": ", 1)[1].split()[0].isdigit() for line in lines[1:4])
