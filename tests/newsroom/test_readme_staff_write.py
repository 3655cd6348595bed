"""README's staff-write example, run as written: bash and curl against a live server.

The block between the README's `staff-write example` markers is taken verbatim; only the
three values a reader fills in (the server, the password and the claim) are set, as the
README tells the reader to set them.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps

from claims.models import Claim, ClaimStatus
from claims.workflow import claim_transition
from tests.claims.factories import AppearanceFactory
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE = re.compile(
    r"<!-- staff-write example: start -->\n```sh\n(?P<script>.*?)```\n"
    r"<!-- staff-write example: end -->",
    re.S,
)
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def staff_write_example() -> str:
    found = EXAMPLE.search(README.read_text())
    assert found, "README.md has no staff-write example between its markers"
    return found["script"]


def filled_in(script: str, **values: str) -> str:
    """Set the example's placeholders (`NAME=...` lines) as a reader would."""
    for name, value in values.items():
        script, count = re.subn(rf"^{name}=\S+", f"{name}='{value}'", script, flags=re.M)
        assert count == 1, f"the example sets {name} once"
    return script


def run_in_bash(script: str, folder: Path, *options: str) -> subprocess.CompletedProcess:
    bash = shutil.which("bash")
    return subprocess.run(  # noqa: S603 - the README's own example, run as a reader would
        [bash, *options, "-c", script], cwd=folder, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def roles():
    """The role groups, as a fresh install has them (a live-server test flushes them)."""
    from tests.browser.conftest import ROLE_MIGRATIONS

    for module, function in ROLE_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def session_cookies_over_http(settings):
    # The suite runs with production settings, whose cookies are Secure: curl would not send
    # them to the plain-HTTP test server. `make run` (DEBUG) sends them over HTTP as here.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def test_readme_staff_write_example_moves_a_claim_as_written(
    roles, session_cookies_over_http, live_server, tmp_path
):
    if not (shutil.which("curl") and shutil.which("bash")):
        pytest.skip("curl and bash run the README's example")
    # Given a claim in review, recorded by an editor, and a fact-checker who may conclude it.
    editor = StaffFactory(username="readme-editor", groups=["Editors"])
    StaffFactory(username="factchecker", groups=["Fact-checkers"])
    claim = AppearanceFactory(claim__created_by=editor).claim
    claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=claim.version
    )
    script = filled_in(
        staff_write_example(), BASE=live_server.url, PASSWORD=PASSWORD, CLAIM=str(claim.pk)
    )

    # When the example runs as written (in a scratch folder for its cookies.txt).
    run = run_in_bash(script, tmp_path, "-e", "-o", "pipefail")

    # Then the last line is the move's 200 and the claim is verified, with the README's words.
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "200", run.stdout[-500:]
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.VERIFIED
    assert claim.events.last().rationale == "Matches the White House statement."


def test_the_example_is_refused_without_its_csrf_header(
    roles, session_cookies_over_http, live_server, tmp_path
):
    """The header is what makes it work: without it the same script gets 403."""
    if not (shutil.which("curl") and shutil.which("bash")):
        pytest.skip("curl and bash run the README's example")
    editor = StaffFactory(username="readme-editor", groups=["Editors"])
    StaffFactory(username="factchecker", groups=["Fact-checkers"])
    claim = AppearanceFactory(claim__created_by=editor).claim
    claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=claim.version
    )
    script = staff_write_example().replace(' -H "X-CSRFToken: $CSRF"', "")
    assert "X-CSRFToken" not in script
    script = filled_in(script, BASE=live_server.url, PASSWORD=PASSWORD, CLAIM=str(claim.pk))

    run = run_in_bash(script, tmp_path)

    assert run.stdout.splitlines()[-1] == "403", run.stdout[-500:]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW
