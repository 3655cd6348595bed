"""bench/http_load.py: wrk's result parsed, wrk required, the raw WSGI app serving the pages."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from bench import http_load
from bench.raw_baseline import RawClaims
from claims.models import Claim
from newsroom.tokens import token_issue


def test_wrk_result_line_is_read_as_rates_and_milliseconds():
    output = (
        "Running 30s test @ http://127.0.0.1:8711/api/v1/claims/?page_size=50\n"
        "RESULT requests=3000 duration_us=30000000 p50=65000 p95=90500 p99=120000 "
        "non2xx=2 socket_errors=1\n"
    )

    result = http_load.parse_wrk(output)

    assert result["rps"] == pytest.approx(100.0)
    assert (result["p50"], result["p95"], result["p99"]) == (65.0, 90.5, 120.0)
    assert (result["non2xx"], result["socket_errors"]) == (2, 1)


def test_wrk_output_without_a_result_is_an_error():
    with pytest.raises(ValueError, match="wrk printed no result"):
        http_load.parse_wrk("unable to connect to 127.0.0.1:8711 Connection refused\n")


def test_missing_wrk_fails_with_a_one_line_reason(monkeypatch):
    monkeypatch.setattr(http_load.shutil, "which", lambda name: None)

    with pytest.raises(SystemExit) as exit_:
        http_load.require_wrk()

    assert str(exit_.value) == "bench/http_load.py needs wrk on PATH: apt-get install -y wrk"


def call(path: str, query: str = "") -> tuple[str, bytes]:
    status = {}

    def start_response(line, headers):
        status["line"] = line

    body = b"".join(
        http_load.raw_app(
            {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "testserver"}, start_response
        )
    )
    return status["line"], body


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_raw_app_serves_the_projects_bytes_and_nothing_else(monkeypatch):
    call_command("generate_scale_data", claims=120, seed=5, batch=60, verbosity=0)
    consumer = get_user_model().objects.get(username="bench-consumer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='t')[1]}")
    connection.ensure_connection()
    # the test's own connection, so the raw app sees the test transaction's rows
    monkeypatch.setattr(
        http_load, "_raw", {"claims": RawClaims(connection.connection, "http://testserver")}
    )
    claim = Claim.objects.concluded().filter(appearances__isnull=False).first()

    for path, query in [("/api/v1/claims/", "page_size=50"), (f"/api/v1/claims/{claim.pk}/", "")]:
        status, body = call(path, query)
        served = client.get(f"{path}?{query}" if query else path)
        assert status == "200 OK"
        assert body == served.content

    assert call("/api/v1/claims/", "page_size=7")[0].startswith("404")
    assert call("/admin/")[0].startswith("404")
    draft = Claim.objects.exclude(pk__in=Claim.objects.concluded()).first()
    assert call(f"/api/v1/claims/{draft.pk}/")[0].startswith("404")
