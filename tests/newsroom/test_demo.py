"""The demo story: loaded through the importer, safe to run twice, users only with DEBUG."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from newsroom.demo import load_demo
from sources.models import AnonymousSource, Document, LicenseTerms, Organization, Person

pytestmark = pytest.mark.django_db

COUNTED = (Organization, Person, AnonymousSource, Document, LicenseTerms)


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_loads_the_reference_story_and_is_safe_to_run_twice():
    load_demo(with_users=False)
    first = counts()
    load_demo(with_users=False)

    assert counts() == first
    article_a = Document.objects.get(publication__name="Danish Offshore Industry")
    assert article_a.agency_credit == "ritzau"
    assert article_a.is_excerpt
    assert article_a.headline.startswith("US puts sanctions")
    assert article_a.license.holder.name == "DK Medier"
    assert article_a.license.tdm_reserved
    assert article_a.license.tdm_legal_basis == "DSM Directive Art. 4; Danish Copyright Act §11b"
    assert article_a.license.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    assert "DK Medier reserves all rights" in article_a.license.notice
    assert "reserves all rights" not in article_a.body
    assert "/ritzau/" not in article_a.body
    article_b = Document.objects.get(publisher__name="Outlet B")
    assert "End of Article" not in article_b.body
    assert article_b.body.count("Current and former US officials told") == 1
    assert Organization.objects.get(name="Danish Offshore Industry").parent.name == "DK Medier"
    assert Person.objects.get(name="Zack Cooper").affiliation_set.get().role == (
        "Asia security expert"
    )


def test_demo_users_are_refused_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(ValueError, match="DEBUG"):
        load_demo(with_users=True)

    call_command("load_demo")
    demo_logins = ["editor", "factchecker", "factchecker2", "consumer", "admin"]
    assert not get_user_model().objects.filter(username__in=demo_logins).exists()


def test_demo_users_get_roles_and_printed_generated_passwords(settings, capsys):
    settings.DEBUG = True

    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out

    User = get_user_model()
    assert set(
        User.objects.exclude(username="newsroom-system").values_list("username", flat=True)
    ) == {
        "editor",
        "factchecker",
        "factchecker2",
        "consumer",
        "admin",
        "demo-reporter",  # writes the demo story, which the editor publishes (four-eyes)
    }
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="consumer").is_staff
    assert User.objects.get(username="factchecker").groups.get().name == "Fact-checkers"
    password = next(line.split()[-1] for line in second.splitlines() if "editor " in line)
    assert User.objects.get(username="editor").check_password(password)
    assert first != second  # fresh passwords each run


def test_demo_claims_tell_the_story_in_realistic_states():
    from claims.models import Claim, ClaimRelation, ClaimStatus, ExternalCheck, VerificationEvent

    load_demo(with_users=False)
    load_demo(with_users=False)  # still safe to run twice

    assert Claim.objects.count() == 9
    sanctions = Claim.objects.with_counts().get(summary__startswith="US put sanctions")
    assert sanctions.appearance_count == 2
    assert sanctions.independent_origins == 1  # both articles relay the FT's officials
    assert sanctions.status == ClaimStatus.IN_REVIEW
    assert sanctions.assignee.username == "demo-factchecker"
    checks = {(c.organization.name, c.outcome) for c in sanctions.external_checks.all()}
    assert checks == {
        ("Reuters", ExternalCheck.Outcome.COULD_NOT_VERIFY),
        ("White House", ExternalCheck.Outcome.NO_RESPONSE),
    }
    chain = sanctions.appearances.get(document__publication__name="Danish Offshore Industry")
    assert [str(link.agent) for link in chain.chain.all()] == [
        "current and former US officials (several)",
        "Financial Times",
        "Reuters",
        "Ritzau",
        "Danish Offshore Industry",
    ]
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")
    assert cooper.status == ClaimStatus.VERIFIED
    assert cooper.appearances.get().chain.first().person.name == "Zack Cooper"
    disputed = Claim.objects.get(status=ClaimStatus.DISPUTED)
    assert "planning major new export controls" in disputed.summary
    assert ClaimRelation.objects.get().kind == ClaimRelation.Kind.CONTRADICTS
    assert set(Claim.objects.conflicted().values_list("pk", flat=True)) == {
        disputed.pk,
        Claim.objects.get(summary__startswith="No new major").pk,
    }
    verified_event = VerificationEvent.objects.get(claim=cooper, to_status=ClaimStatus.VERIFIED)
    assert verified_event.evidence and verified_event.rationale
    assert verified_event.actor != cooper.created_by  # four eyes
    assert Claim.objects.filter(status=ClaimStatus.VERIFIED).count() == 2


def test_demo_actors_without_debug_cannot_log_in():
    load_demo(with_users=False)

    for user in get_user_model().objects.all():
        assert not user.has_usable_password()


def test_one_ritzau_story_in_two_dk_medier_titles_is_two_documents_and_one_origin():
    from claims.models import Claim
    from claims.origins import count_independent_origins

    load_demo(with_users=False)

    first = Document.objects.get(publication__name="Danish Offshore Industry")
    second = Document.objects.get(publication__name="Danish Maritime Weekly")
    assert first.pk != second.pk
    assert first.publisher == second.publisher  # two titles of DK Medier
    assert list(Document.objects.copies_of(first)) == [second]
    assert first.headline != second.headline and first.body == second.body
    assert first.license != second.license
    assert "Danish Maritime Weekly" in second.license.notice
    assert [c.organization.name for c in second.credits.all()] == ["Ritzau"]
    salt_typhoon = Claim.objects.with_counts().get(summary__startswith="MSS linked")
    assert salt_typhoon.appearance_count == 2
    # Article A's chain has Reuters as the reporter, the second title's has Ritzau: only the
    # copy link makes them one origin.
    reporters = {
        a.document_id: a.chain.get(role="reporter").organization.name
        for a in salt_typhoon.appearances.all()
    }
    assert reporters == {first.pk: "Reuters", second.pk: "Ritzau"}
    assert salt_typhoon.independent_origins == 1
    assert count_independent_origins([salt_typhoon.pk]) == {salt_typhoon.pk: 1}


def test_make_run_prints_a_consumer_token_and_a_curl_line_that_works_as_printed(settings, capsys):
    import re
    import shlex

    from django.test import Client

    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out

    (curl,) = [line.strip() for line in out.splitlines() if line.strip().startswith("curl ")]
    words = shlex.split(curl)
    header = words[words.index("-H") + 1]
    url = words[-1]
    assert re.fullmatch(r"Authorization: Bearer \S+", header)
    path = url.removeprefix("http://127.0.0.1:8000")
    response = Client().get(path, HTTP_AUTHORIZATION=header.split(": ", 1)[1])
    assert response.status_code == 200
    assert response.json()["results"]  # the demo's verified claims

    settings.DEBUG = False
    call_command("load_demo")
    assert "Bearer" not in capsys.readouterr().out
