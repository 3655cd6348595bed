"""bench/scale.py's raw baseline builds the project's consumer JSON byte for byte.

The benchmark asserts this on every run at scale; this pins it in the PostgreSQL test run, on
generated data with withheld quotes, every agent kind, external checks and relations.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from bench.raw_baseline import RawClaims
from claims.models import Claim
from newsroom.tokens import token_issue
from sources.models import Document

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_raw_json_equals_the_projects_for_list_pages_and_detail():
    # Given generated data and a consumer
    call_command("generate_scale_data", claims=300, seed=3, batch=100, verbosity=0)
    consumer = get_user_model().objects.get(username="bench-consumer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='t')[1]}")
    connection.ensure_connection()
    raw = RawClaims(connection.connection)

    # (one document on the first page withdrawn by its sender: a kill notice outranks licences)
    first = Claim.objects.concluded().order_by("-updated_at", "-id").first()
    Document.objects.filter(pk=first.appearances.first().document_id).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Kill notice."
    )

    # when both build the list pages and a detail, then the bytes are the same
    for size in (1, 50, 100):
        served = client.get(f"/api/v1/claims/?page_size={size}")
        assert served.status_code == 200
        mine = raw.list_page(page_size=size, query=f"page_size={size}")
        if mine != served.content:
            at = next(
                i for i, (a, b) in enumerate(zip(mine, served.content, strict=False)) if a != b
            )
            print("RAW", mine[at - 300 : at + 200])
            print("PRJ", served.content[at - 300 : at + 200])
        assert mine == served.content
    body = served.content.decode()
    assert '"withheld"' in body and '"type":"anonymous"' in body and '"type":"person"' in body
    assert '"external_checks":[{' in body and "was withdrawn on" in body
    for claim_id in Claim.objects.concluded().values_list("pk", flat=True)[:20]:
        assert raw.detail(claim_id) == client.get(f"/api/v1/claims/{claim_id}/").content
