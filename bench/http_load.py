"""Over HTTP: the project under gunicorn beside a raw psycopg + orjson WSGI app, driven by wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nr_scale \\
        .venv/bin/python -m bench.http_load [--duration 30] [--connections 8] [--workers 3]

(`make bench-http BENCH_HTTP_DB=nr_scale` runs it. Not named http.py: run from bench/, that
name would shadow the standard library's `http` for every script there.) Both apps run under
gunicorn with the same number of sync workers on loopback, against the same database, which
must already hold generated data (`manage.py generate_scale_data --claims N`). The raw app
serves the consumer list page and the claim detail with bench/raw_baseline.py's queries and
JSON; before measuring, the two apps' bodies are asserted byte-identical. wrk (Debian:
apt-get install -y wrk) then loads each URL in turn with the same connections for the same
time, and the script prints req/s, p50/p95/p99 latency and non-2xx counts side by side with
the ratios. Times are never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HOST_HEADER = "testserver"  # both apps build absolute URLs from it, so their bodies compare
LIST_PATH = "/api/v1/claims/?page_size=50"

# wrk reports p50/p75/p90/p99 only; the done() hook prints the percentiles wanted (µs).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50=%d p95=%d p99=%d "
    .. "non2xx=%d socket_errors=%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""
RESULT = re.compile(r"RESULT (?P<fields>.+)")


def bench_environment() -> dict[str, str]:
    """The production settings the benchmark runs with (DEBUG off, no HTTPS on loopback)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    env.setdefault("DEBUG", "false")
    env.setdefault("SECURE_SSL_REDIRECT", "false")
    env.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    env.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZyEhISE=")
    env.setdefault("ALLOWED_HOSTS", HOST_HEADER)
    env.setdefault("API_THROTTLE_RATE", "100000000/hour")
    # Persistent connections, as production would run, and as the raw app's one per worker.
    env.setdefault("CONN_MAX_AGE", "600")
    return env


def parse_wrk(output: str) -> dict[str, float]:
    """req/s and latencies (ms) from the RESULT line WRK_SCRIPT prints."""
    match = RESULT.search(output)
    if not match:
        raise ValueError(f"wrk printed no result: {output.strip()[-300:]}")
    fields = dict(item.split("=") for item in match["fields"].split())
    values = {k: int(v) for k, v in fields.items()}
    seconds = values["duration_us"] / 1e6
    return {
        "requests": values["requests"],
        "rps": values["requests"] / seconds if seconds else 0.0,
        "p50": values["p50"] / 1000,
        "p95": values["p95"] / 1000,
        "p99": values["p99"] / 1000,
        "non2xx": values["non2xx"],
        "socket_errors": values["socket_errors"],
    }


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        sys.exit("bench/http_load.py needs wrk on PATH: apt-get install -y wrk")
    return wrk


# --- the raw app ------------------------------------------------------------------------------

_raw = {}


def raw_app(environ, start_response):
    """WSGI: the consumer list page (page_size=50) and claim detail from the raw baseline.

    What it leaves out, like bench/raw_baseline.py: authentication, throttling, validators and
    every other filter; it is the floor the project is measured against, not a second API.
    """
    if not _raw:  # per worker process, after gunicorn forks
        import django

        django.setup()
        from django.conf import settings

        from bench.raw_baseline import RawClaims, connect

        _raw["claims"] = RawClaims(
            connect(settings.DATABASES["default"]),
            base_url=f"http://{environ.get('HTTP_HOST', HOST_HEADER)}",
        )
    claims = _raw["claims"]
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    body = None
    if path == "/api/v1/claims/" and query == "page_size=50":
        body = claims.list_page(page_size=50, query=query)
    elif match := re.fullmatch(r"/api/v1/claims/(\d+)/", path):
        try:
            body = claims.detail(int(match[1]))
        except IndexError:  # not a consumer-visible claim
            body = None
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not served by the raw app\n"]
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


# --- driving both -------------------------------------------------------------------------------


def start_gunicorn(app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(  # noqa: S603 - our own interpreter's gunicorn, fixed arguments
        [
            str(gunicorn),
            app,
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url, headers={"Host": HOST_HEADER, "Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(url: str, token: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode} before serving {url}")
        try:
            status, _ = get(url, token)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not serve {url} within {timeout:.0f} s")


def run_wrk(wrk: str, url: str, token: str, *, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments
            [
                wrk,
                "--threads",
                str(min(2, connections)),
                "--connections",
                str(connections),
                "--duration",
                f"{duration}s",
                "--timeout",
                "30s",
                "--script",
                script.name,
                "--header",
                f"Host: {HOST_HEADER}",
                "--header",
                f"Authorization: Bearer {token}",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    return parse_wrk(completed.stdout)


def setup_data() -> tuple[str, int]:
    """A consumer token and a consumer-visible claim with appearances, from the database."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from claims.models import Claim
    from newsroom.tokens import token_issue

    try:
        consumer = get_user_model().objects.get(username="bench-consumer")
    except get_user_model().DoesNotExist:
        sys.exit("No generated data here: run manage.py generate_scale_data --claims N first.")
    _, token = token_issue(user=consumer, name="bench-http")
    claim_id = (
        Claim.objects.concluded()
        .filter(appearances__isnull=False)
        .order_by("-updated_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    return token, claim_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="Seconds of load per URL.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers per app.")
    parser.add_argument("--port", type=int, default=8711, help="The project's; raw gets +1.")
    args = parser.parse_args()
    wrk = require_wrk()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("bench/http_load.py needs PostgreSQL: set DATABASE_URL to a generated database.")
    env = bench_environment()
    os.environ.update({k: v for k, v in env.items() if k not in os.environ})
    token, claim_id = setup_data()
    from django.db import connections

    connections.close_all()

    project_base = f"http://127.0.0.1:{args.port}"
    raw_base = f"http://127.0.0.1:{args.port + 1}"
    paths = {"list, page of 50": LIST_PATH, "claim detail": f"/api/v1/claims/{claim_id}/"}
    servers = [
        start_gunicorn("newsroom.wsgi:application", args.port, args.workers, env),
        start_gunicorn("bench.http_load:raw_app", args.port + 1, args.workers, env),
    ]
    try:
        wait_ready(project_base + LIST_PATH, token, servers[0])
        wait_ready(raw_base + LIST_PATH, token, servers[1])
        for name, path in paths.items():
            project_status, project_body = get(project_base + path, token)
            raw_status, raw_body = get(raw_base + path, token)
            assert project_status == raw_status == 200, (name, project_status, raw_status)
            assert project_body == raw_body, (
                f"{name}: the raw app's JSON differs from the project's"
            )
        print(
            f"Same JSON from both apps, byte for byte ({', '.join(paths)}). gunicorn "
            f"{args.workers} sync workers each; wrk {args.connections} connections, "
            f"{args.duration} s per URL, on loopback.\n"
        )
        rows = []
        for name, path in paths.items():
            measured = []
            for base in (project_base, raw_base):
                measured.append(
                    run_wrk(
                        wrk,
                        base + path,
                        token,
                        connections=args.connections,
                        duration=args.duration,
                    )
                )
                # wrk leaves requests queued at the workers when it stops: one more request
                # returns once they are served, so the next run starts on idle servers.
                get(base + path, token)
            rows.append((name, *measured))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    report(rows)


def report(rows) -> None:
    print(
        "| request | project req/s | raw req/s | project ÷ raw req/s | project p50 / p95 / p99 ms "
        "| raw p50 / p95 / p99 ms | project ÷ raw p95 | non-2xx |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, project, raw in rows:
        share = project["rps"] / raw["rps"] if raw["rps"] else 0.0
        p95 = project["p95"] / raw["p95"] if raw["p95"] else 0.0
        print(
            f"| {name} | {project['rps']:.1f} | {raw['rps']:.1f} | {share:.0%} | "
            f"{project['p50']:.0f} / {project['p95']:.0f} / {project['p99']:.0f} | "
            f"{raw['p50']:.1f} / {raw['p95']:.1f} / {raw['p99']:.1f} | {p95:.1f}× | "
            f"{project['non2xx'] + project['socket_errors']} / "
            f"{raw['non2xx'] + raw['socket_errors']} |"
        )


if __name__ == "__main__":
    main()
