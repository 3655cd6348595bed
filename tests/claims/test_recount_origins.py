"""`manage.py recount_origins` and its Celery task: corrupted counts corrected, resumable."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Attribution, Claim
from claims.origins import recount_batch
from claims.recording import ChainLink, chain_set
from claims.tasks import recount_origins
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.factories import AnonymousSourceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Role = Attribution.Role


def claim_with_origins(n: int) -> Claim:
    """A claim quoted in n documents, each reporting a different origin: n origins."""
    claim = ClaimFactory()
    for i in range(n):
        appearance = AppearanceFactory(claim=claim)
        reporter = OrganizationFactory(name=f"Outlet {claim.pk}-{i}")
        chain_set(
            appearance=appearance,
            links=[
                ChainLink(Role.ORIGIN, AnonymousSourceFactory(description=f"src {claim.pk}-{i}")),
                ChainLink(Role.REPORTER, reporter),
            ],
        )
    return claim


@pytest.fixture
def claims():
    made = [claim_with_origins(n) for n in (0, 1, 2, 3, 1, 2)]
    assert [c.independent_origins for c in Claim.objects.order_by("pk")] == [0, 1, 2, 3, 1, 2]
    return made


def corrupt():
    Claim.objects.update(independent_origins=99)


def stored() -> list[int]:
    return list(Claim.objects.order_by("pk").values_list("independent_origins", flat=True))


def run(*args) -> str:
    out = io.StringIO()
    call_command("recount_origins", *args, stdout=out)
    return out.getvalue()


def test_recount_corrects_every_corrupted_count(claims, tmp_path):
    corrupt()

    output = run("--batch-size", "4", "--checkpoint", str(tmp_path / "cp"))

    assert stored() == [0, 1, 2, 3, 1, 2]
    assert "6 claims recounted, 6 counts corrected" in output
    assert "[" in output and "100.0%" in output  # the progress lines
    assert not (tmp_path / "cp").exists()  # finished: nothing left to resume


def test_a_correct_database_is_recounted_without_writes(claims, tmp_path):
    output = run("--checkpoint", str(tmp_path / "cp"))
    assert "0 counts corrected" in output


def test_resume_continues_after_the_checkpoint(claims, tmp_path):
    corrupt()
    checkpoint = tmp_path / "cp"
    third = claims[2].pk
    checkpoint.write_text(f"{third}\n")  # as left by a run interrupted after the third claim

    output = run("--resume", "--checkpoint", str(checkpoint))

    assert stored() == [99, 99, 99, 3, 1, 2]  # before the checkpoint: untouched
    assert f"after id {third}" in output
    assert "3 claims recounted" in output


def test_after_starts_past_an_id(claims, tmp_path):
    corrupt()
    run("--after", str(claims[3].pk), "--checkpoint", str(tmp_path / "cp"))
    assert stored() == [99, 99, 99, 99, 1, 2]


def test_an_interrupted_run_leaves_a_checkpoint_that_resumes(claims, tmp_path, monkeypatch):
    corrupt()
    checkpoint = tmp_path / "cp"
    calls = {"n": 0}
    real = recount_batch

    def failing_second_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(
        "claims.management.commands.recount_origins.recount_batch", failing_second_batch
    )
    with pytest.raises(RuntimeError):
        run("--batch-size", "2", "--checkpoint", str(checkpoint))
    assert checkpoint.read_text().strip() == str(claims[1].pk)
    assert stored() == [0, 1, 99, 99, 99, 99]  # the first batch committed, nothing more

    monkeypatch.undo()
    run("--resume", "--batch-size", "2", "--checkpoint", str(checkpoint))
    assert stored() == [0, 1, 2, 3, 1, 2]


def test_resume_without_a_checkpoint_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Nothing to resume"):
        run("--resume", "--checkpoint", str(tmp_path / "missing"))


@pytest.mark.parametrize("args", [("--batch-size", "0"), ("--resume", "--after", "3")])
def test_bad_arguments_are_refused(args, tmp_path):
    with pytest.raises(CommandError):
        run(*args, "--checkpoint", str(tmp_path / "cp"))


def test_a_batch_costs_the_same_queries_for_many_claims_as_for_one(claims):
    corrupt()
    with CaptureQueriesContext(connection) as one:
        recount_batch(after=0, batch_size=1)
    with CaptureQueriesContext(connection) as many:
        recount_batch(after=claims[0].pk, batch_size=5)
    # ids, same-as closure, lock + stored counts, chains, one UPDATE (plus savepoints)
    data = [q for q in many.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(data) == len([q for q in one.captured_queries if "SAVEPOINT" not in q["sql"]])
    assert len(data) == 5


def test_the_celery_task_recounts_everything_in_chained_tasks(claims):
    corrupt()

    result = recount_origins.delay(after=0, batch_size=2, batches=1)  # eager without a broker

    assert stored() == [0, 1, 2, 3, 1, 2]
    assert result.get()["next"] == claims[1].pk  # it queued the rest after its own share
