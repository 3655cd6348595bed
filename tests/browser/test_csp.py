"""The Content-Security-Policy holds in a real browser and breaks none of our own pages."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = ["/admin/login/", "/api/docs/"]


@pytest.mark.parametrize("path", PAGES)
def test_our_pages_run_under_the_policy_without_a_violation(pages, path):
    context = pages.browser.new_context(viewport={"width": 1280, "height": 900})
    pages.contexts.append(context)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(pages.base_url + path)
    page.wait_for_load_state("networkidle")
    pages.screenshot(page, path.strip("/").replace("/", "-"))

    assert violations == []
    if path == "/api/docs/":
        # Swagger UI started from its script file: the operations are on the page.
        assert page.locator(".swagger-ui .opblock").count() > 0


def test_an_injected_inline_script_is_refused(pages):
    page = pages.open("/admin/login/")
    violations = []
    page.on("console", lambda message: violations.append(message.text))

    page.evaluate(
        """() => { const s = document.createElement('script');
                  s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"""
    )

    assert page.evaluate("() => window.__ran === true") is False
    assert any("Content Security Policy" in text for text in violations)
