"""Test helpers shared by the apps' tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for_get(client, url, **params) -> int:
    """Return how many queries one GET of url runs (and check it succeeds)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return len(context)
