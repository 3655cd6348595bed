"""How the claims admin shows things: quotes in context, chains, agents, evidence, page context.

Every page of the package builds its template context with `page_context`, so the views and the
`ClaimAdmin` share it without importing each other.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from claims.models import Attribution
from claims.suggest import AgentKind, AgentProposal
from sources import agents
from sources.errors import field_messages
from sources.models import Document

AGENT_FIELDS = ("person", "organization", "anonymous_source")
AGENT_KIND_LABELS = {
    AgentKind.PERSON: "named person",
    AgentKind.ORGANIZATION: "organization",
    AgentKind.ANONYMOUS: "anonymous source",
}


def page_context(model_admin, request, title: str, **extra) -> dict:
    """Return the context every custom claims admin page starts from."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **extra,
    }


def status_badge(claim) -> SafeString:
    """Return a claim's status as a badge: its name on its colour (newsroom/admin.css)."""
    return format_html(
        '<span class="status-badge status-{}">{}</span>', claim.status, claim.get_status_display()
    )


def quote_in_context(body: str, start: int | None, end: int | None, exact: str) -> SafeString:
    """Return the paragraph(s) around body[start:end] with the quote wrapped in <mark>."""
    if start is None or end is None or body[start:end] != exact:
        return format_html(
            '<blockquote class="quote-context"><mark>{}</mark></blockquote>'
            '<p class="help">Not found at its recorded place in the current text.</p>',
            exact,
        )
    paragraph_start = body.rfind("\n\n", 0, start)
    paragraph_start = 0 if paragraph_start == -1 else paragraph_start + 2
    paragraph_end = body.find("\n\n", end)
    paragraph_end = len(body) if paragraph_end == -1 else paragraph_end
    return format_html(
        '<blockquote class="quote-context" style="white-space: pre-wrap; max-width: 60em">'
        "{}<mark>{}</mark>{}</blockquote>",
        body[paragraph_start:start],
        body[start:end],
        body[end:paragraph_end],
    )


def chain_text(links) -> str:
    """Return a chain as 'officials (origin, told) → Financial Times (reporter) → …'."""
    return " → ".join(
        f"{link.agent} ({link.get_role_display().lower()}{f', {link.verb}' if link.verb else ''})"
        for link in links
    )


def agent_box(attribution: Attribution) -> dict:
    """Describe one chain link for the diagram; never reads a confidential identity."""
    box = {
        "role": attribution.get_role_display(),
        "verb": attribution.verb,
        "kind": attribution.agent_kind,
    }
    kind, agent = attribution.agent_kind, attribution.agent
    if kind == AgentKind.PERSON:
        return {**box, "name": agent.name, "details": [agent.description]}
    if kind == AgentKind.ORGANIZATION:
        return {**box, "name": agent.name, "details": [agent.get_kind_display()]}
    count = agents.anonymous_count(agent)
    return {
        **box,
        "name": agent.description,
        "details": [f"count: {count}" if count else "", agent.anonymity_reason],
    }


def proposed_box(role: str, agent: AgentProposal | None, verb: str = "", note: str = "") -> dict:
    """Describe a proposed chain link, as written in the document."""
    if agent is None:
        return {"role": role, "verb": verb, "kind": "unknown", "name": "not named", "details": []}
    details = [AGENT_KIND_LABELS[agent.kind], note]
    if agent.kind == AgentKind.PERSON:
        details.append(agent.description)
    if agent.kind == AgentKind.ANONYMOUS:
        details += [
            f"count: {agent.count_text}" if agent.count_text else "",
            agent.anonymity_reason,
        ]
    return {
        "role": role,
        "verb": verb,
        "kind": str(agent.kind),
        "name": agent.text,
        "details": details,
    }


def relay_box(relay) -> dict:
    """Describe a credited agency offered as a relay link (a suggest.RelayProposal)."""
    return {
        "role": "Relay",
        "verb": "",
        "kind": "organization",
        "name": relay.organization.name,
        "details": ["News agency", f"credited: {relay.credit}"],
    }


def document_box(document: Document) -> dict:
    """Describe the document at the end of a chain: the piece, where and when it appeared."""
    details = [str(document.publication or document.publisher)]
    if document.publication_id:
        details.append(f"publisher: {document.publisher}")
    if document.agency_credit:
        details.append(f"credited: {document.agency_credit}")
    if document.published_at:
        details.append(date_format(localtime(document.published_at), "DATETIME_FORMAT"))
    return {"role": "Document", "name": str(document), "details": details, "kind": "document"}


def evidence_html(items) -> SafeString:
    """Show the evidence stored on a verification event, URLs and documents as links."""
    lines = []
    for item in items or []:
        if not isinstance(item, dict):
            lines.append(format_html("<li>{}</li>", item))
            continue
        url = item.get("url", "")
        if item.get("kind") == "url" and url.startswith(("https://", "http://")):
            shown = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, url)
        elif item.get("kind") == "document" and item.get("document"):
            shown = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:sources_document_change", args=[item["document"]]),
                item.get("label") or f"Document {item['document']}",
            )
        else:
            shown = url or item.get("label") or ""
        note = item.get("note")
        lines.append(format_html("<li>{}{}</li>", shown, f" — {note}" if note else ""))
    if not lines:
        return format_html("{}", "—")
    return format_html(
        '<ul class="evidence">{}</ul>', format_html_join("", "{}", ((line,) for line in lines))
    )


def evidence_text(item) -> str:
    """Return one piece of evidence stored on a verification event as a line of text."""
    if not isinstance(item, dict):
        return str(item)
    shown = item.get("url") or item.get("label") or ""
    return " — ".join(part for part in (shown, item.get("note", "")) if part)


def messages_of(error: ValidationError) -> list[str]:
    """Return a ValidationError as lines a message can show, each naming its field."""
    return [
        message if field is None else f"{field.replace('_', ' ').capitalize()}: {message}"
        for field, messages in field_messages(error)
        for message in messages
    ]
