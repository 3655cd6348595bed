"""Shared helpers of the adversarial suite: the URLconf walked, clients per role, leak scans."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from newsroom.tokens import token_issue

ROLES = ("anonymous", "consumer", "editor", "factchecker", "superuser")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@dataclass(frozen=True)
class Route:
    route: str  # the pattern's full route, as Django prints it
    name: str  # "namespace:name", or "" when the pattern has none
    pattern: URLPattern
    admin_model: str | None  # "app_label.model_name" when it lies under a registered ModelAdmin

    @property
    def key(self) -> str:
        return self.name or self.route


def walk_urlconf(
    patterns=None, prefix: str = "", namespace: str = "", admin_model: str | None = None
) -> Iterator[Route]:
    """Yield every URL pattern of `newsroom.urls`, resolvers followed recursively."""
    from django.contrib import admin

    if patterns is None:
        patterns = get_resolver().url_patterns
    admin_prefixes = {
        f"{model._meta.app_label}/{model._meta.model_name}/": model._meta.label_lower
        for model in admin.site._registry
    }
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            model = admin_model
            if namespace == "admin" and str(pattern.pattern) in admin_prefixes:
                model = admin_prefixes[str(pattern.pattern)]
            yield from walk_urlconf(
                pattern.url_patterns, prefix + str(pattern.pattern), inner, model
            )
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(prefix + str(pattern.pattern), name or "", pattern, admin_model)


def role_client(role: str, users: dict) -> Client:
    """A test client acting as `role`: a session for staff, a bearer token for the consumer."""
    client = Client(raise_request_exception=False)
    if role == "consumer":
        _, key = token_issue(user=users["consumer"], name="adversarial suite")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    elif role != "anonymous":
        client.force_login(users[role])
    return client


def strings_in(content: str) -> list[str]:
    """Every string a response carries: JSON string values and keys, else the text unescaped."""
    try:
        data = json.loads(content)
    except ValueError:
        return [html.unescape(content)]
    found: list[str] = []

    def visit(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                found.append(key)
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(data)
    return found


def windows(text: str, size: int) -> set[str]:
    """Every run of `size` characters of `text` (the whole text when shorter)."""
    if len(text) <= size:
        return {text}
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def leaked_windows(secret: str, content: str, size: int = 30) -> list[str]:
    """The `size`-character runs of `secret` that appear in `content` (unescaped)."""
    haystack = "\n".join(strings_in(content))
    whitespace = re.compile(r"\s+")
    flat = whitespace.sub(" ", haystack)
    return sorted(
        window
        for window in windows(secret, size)
        if window in haystack or whitespace.sub(" ", window) in flat
    )


def covered_positions(body: str, strings: Iterable[str], size: int = 20) -> set[int]:
    """The positions of `body` a reader can rebuild from `strings`: every run of at least
    `size` characters any of them shares with the body, wherever it stands in them."""
    index: dict[str, list[int]] = {}
    for start in range(len(body) - size + 1):
        index.setdefault(body[start : start + size], []).append(start)
    covered: set[int] = set()
    for text in strings:
        for offset in range(len(text) - size + 1):
            for start in index.get(text[offset : offset + size], ()):
                covered.update(range(start, start + size))
    return covered


def obtainable(body: str, responses: Iterable[str], size: int = 20) -> set[int]:
    """The positions of `body` an outside reader can rebuild from any string in the responses."""
    strings: list[str] = []
    for content in responses:
        strings.extend(strings_in(content))
    return covered_positions(body, strings, size)
