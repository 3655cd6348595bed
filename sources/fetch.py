"""Fetch a feed or a site's rights policy over HTTP: bounded, identified, polite.

httpx with a timeout and a size limit, the newsroom's User-Agent, and robots.txt honoured
(urllib.robotparser, the standard library's reader). Errors are one user-facing line;
`TransientFetchError` marks the ones worth retrying (timeouts, 5xx, 429, connection errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib import robotparser
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings


class FetchError(Exception):
    """The URL could not be fetched; the message is one line for the user."""


class TransientFetchError(FetchError):
    """A failure that may pass: retry later."""


@dataclass(frozen=True)
class Fetched:
    """A fetched response: its body and its headers (names lowercased)."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def fetch(url: str) -> bytes:
    """Return the body at `url`, or raise FetchError; refuse what robots.txt disallows."""
    return fetch_response(url).body


def fetch_response(url: str) -> Fetched:
    """Fetch `url` like `fetch()`, keeping the response headers (e.g. TDMRep's)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"Not an http(s) URL: {url!r}.")
    agent = settings.NEWSROOM_USER_AGENT
    with httpx.Client(
        timeout=settings.NEWSROOM_FETCH_TIMEOUT,
        headers={"User-Agent": agent},
        follow_redirects=True,
        max_redirects=5,
    ) as client:
        if not _robots_allow(client, url, agent):
            raise FetchError(f"{parts.netloc}'s robots.txt does not allow fetching {parts.path}.")
        body, headers = _get(client, url)
        return Fetched(url=url, body=body, headers=headers)


def _robots_allow(client: httpx.Client, url: str, agent: str) -> bool:
    parts = urlsplit(url)
    robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    try:
        response = client.get(robots_url)
    except httpx.HTTPError as error:
        raise TransientFetchError(f"Could not read {robots_url}: {error}.") from error
    if response.status_code >= 500:
        raise TransientFetchError(f"{robots_url} answered {response.status_code}.")
    if response.status_code >= 400:
        return True  # no robots.txt: no rule
    parser = robotparser.RobotFileParser()
    parser.parse(response.text.splitlines())
    return parser.can_fetch(agent, url)


def _get(client: httpx.Client, url: str) -> tuple[bytes, dict[str, str]]:
    limit = settings.NEWSROOM_FETCH_MAX_BYTES
    try:
        with client.stream("GET", url) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise TransientFetchError(f"{url} answered {response.status_code}.")
            if response.status_code >= 400:
                raise FetchError(f"{url} answered {response.status_code}.")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url} is larger than the limit of {limit:,} bytes.")
                chunks.append(chunk)
            headers = {name.lower(): value for name, value in response.headers.items()}
    except httpx.TimeoutException as error:
        raise TransientFetchError(f"{url} did not answer in time.") from error
    except httpx.HTTPError as error:
        raise TransientFetchError(f"Could not fetch {url}: {error}.") from error
    return b"".join(chunks), headers
