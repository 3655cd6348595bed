"""Browser tests: Playwright for Python driving Debian's Chromium, axe-core injected from npm.

Nothing is downloaded at run time: Chromium comes from `apt-get install chromium` (launched by
`executable_path`), axe-core from `npm ci` in tests/browser. Without either the tests skip,
except under CI=true, where they fail: CI must never pass by not running them.
Screenshots go to var/screenshots/<test name>/.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
NARROW, WIDE, ADMIN = 390, 1400, 1280


def _missing(what: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is missing; CI must run the browser tests (see .ci/run).")
    pytest.skip(f"{what} is missing (run .ci/run's browser step to install it).")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        _missing("Debian's Chromium (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing("axe-core (npm ci --prefix tests/browser)")
    return AXE.read_text()


@pytest.fixture(scope="session")
def browser(chromium_path):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


class Pages:
    """Open pages at a width, take screenshots, check accessibility and overflow."""

    def __init__(self, browser, base_url: str, axe: str, folder: Path) -> None:
        self.browser, self.base_url, self.axe, self.folder = browser, base_url, axe, folder
        self.contexts = []

    def open(self, path: str, *, width: int = WIDE, height: int = 900, context=None):
        if context is None:
            context = self.browser.new_context(viewport={"width": width, "height": height})
            self.contexts.append(context)
        page = context.new_page()
        page.goto(self.base_url + path)
        return page

    def screenshot(self, page, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def axe_violations(self, page, *, include: str | None = None) -> list[dict]:
        """Serious and critical axe-core violations on the page (or inside `include`)."""
        # Evaluated through the DevTools protocol, so the page's Content-Security-Policy (which
        # rightly refuses inline scripts) stays in force for everything the page itself runs.
        page.evaluate(self.axe)
        context = f"document.querySelector({include!r})" if include else "document"
        results = page.evaluate(f"async () => await axe.run({context})")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def horizontal_overflow(self, page) -> int:
        """How many CSS pixels the page is wider than its viewport (0 when it fits)."""
        return page.evaluate(
            "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
        )

    def close(self):
        for context in self.contexts:
            context.close()


ROLE_MIGRATIONS = [
    ("newsroom.migrations.0001_roles", "create_roles"),
    ("newsroom.migrations.0002_claims_roles", "grant"),
    ("newsroom.migrations.0004_system_user", "create_system_user"),
    ("newsroom.stories.migrations.0003_editor_roles", "grant"),
]


@pytest.fixture(autouse=True)
def roles_and_system_account(transactional_db):
    """The data the migrations put in (role groups, the system account), present every time.

    A live-server test is transactional: the database is flushed after it, and what the data
    migrations wrote goes with it whatever ran before. Re-running their forward functions
    (idempotent) gives each browser test the database a fresh install has.
    """
    import importlib

    from django.apps import apps

    for module, function in ROLE_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def pages(browser, live_server, axe_source, request):
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    helper = Pages(browser, live_server.url, axe_source, SCREENSHOTS / name)
    yield helper
    helper.close()
