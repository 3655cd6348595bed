"""The import limit is one setting, reachable over every HTTP path, refused in JSON by the API."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from sources.models import Document

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
DOCUMENTS = "/api/v1/documents/"


def article_of(size: int) -> str:
    """Return plain text of `size` bytes: a headline, then paragraphs of prose."""
    paragraph = "Officials said the plan to impose sanctions was put on hold for now.\n\n"
    head = "A headline\n\n"
    body = paragraph * ((size - len(head)) // len(paragraph) + 1)
    return (head + body)[:size]


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.force_login(editor)
    return client


def post_json(client, payload: dict):
    return client.post(DOCUMENTS, json.dumps(payload), content_type="application/json")


def test_the_limit_is_the_documented_five_megabytes():
    assert settings.NEWSROOM_MAX_IMPORT_BYTES == 5 * MB


def test_a_four_megabyte_document_is_imported_over_the_api(editor_api):
    response = post_json(editor_api, {"text": article_of(4 * MB), "publisher": "Outlet C"})

    assert response.status_code == 201, response.content[:300]
    assert Document.objects.count() == 1


def test_a_document_at_the_limit_in_multibyte_text_fits_the_request(editor_api):
    # JSON escapes non-ASCII as \\uXXXX: a 5 MB body of accented text is a 10 MB request.
    paragraph = "Résumé des sanctions : la détente prévaut.\n\n"
    text = paragraph * (settings.NEWSROOM_MAX_IMPORT_BYTES // len(paragraph.encode()))
    assert len(text.encode()) > settings.NEWSROOM_MAX_IMPORT_BYTES - len(paragraph.encode())

    response = post_json(editor_api, {"text": text, "publisher": "Outlet C"})

    assert response.status_code == 201, response.content[:300]


def test_a_six_megabyte_document_is_refused_in_json_and_nothing_is_stored(editor_api):
    response = post_json(editor_api, {"text": article_of(6 * MB), "publisher": "Outlet C"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "import limit of 5 MB" in response.json()["text"][0]
    assert not Document.objects.exists()


def test_a_request_body_beyond_any_import_is_refused_in_json(editor_api, settings):
    # given a request larger than Django accepts at all (made small here to keep the test fast)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB

    response = post_json(editor_api, {"text": article_of(2 * MB), "publisher": "Outlet C"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "larger than" in response.json()["body"][0]
    assert not Document.objects.exists()


def test_a_four_megabyte_document_is_imported_in_the_admin(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": article_of(4 * MB), "publisher": "Outlet C", "language": "en"},
    )

    assert response.status_code == 302, response.content[:300]
    assert Document.objects.count() == 1
