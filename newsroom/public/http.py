"""What every public page's response carries: validators, and the TDMRep signals."""

from __future__ import annotations

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from sources import licensing
from sources.odrl import tdm_headers


def tdm_signals(request, disclosure: licensing.Disclosure) -> dict:
    """The TDMRep headers (and so the page's meta tag) for the licensed text a page carries."""
    served = disclosure.served
    return tdm_headers(
        served,
        build_url=request.build_absolute_uri,
        site_signals=disclosure.site_signals if served else {},
    )


def finish(request, response, *, last_modified=None, headers: dict | None = None):
    """Add ETag/Last-Modified and the TDMRep headers; answer 304 when the reader's copy is current.

    A public page is the same for everyone (it is always rendered for the outside audience),
    so the validators do not vary by user.
    """
    for header, value in (headers or {}).items():
        response[header] = value
    if response.status_code != 200:
        return response
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    response["ETag"] = etag
    stamp = None
    if last_modified is not None:
        stamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(stamp)
    response["Cache-Control"] = "public, max-age=60"
    return get_conditional_response(request, etag=etag, last_modified=stamp, response=response)
