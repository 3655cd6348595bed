"""The reference story (DESIGN.md §1) as demo data, loaded through the same services users use.

Everything here is safe to run twice: rows are looked up before they are created, and the
importer never imports the same body twice.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from newsroom import roles
from sources.ingest import document_import
from sources.models import (
    Affiliation,
    AnonymousSource,
    Document,
    LicenseTerms,
    Organization,
    Person,
)

DATA = Path(__file__).resolve().parent / "demo_data"
UTC = datetime.UTC

ORGANIZATIONS = [
    # (name, kind, parent)
    ("DK Medier", Organization.Kind.PUBLISHER, None),
    ("Danish Offshore Industry", Organization.Kind.PUBLICATION, "DK Medier"),
    ("Ritzau", Organization.Kind.NEWS_AGENCY, None),
    ("Reuters", Organization.Kind.NEWS_AGENCY, None),
    ("Financial Times", Organization.Kind.PUBLICATION, None),
    ("Outlet B", Organization.Kind.PUBLISHER, None),
    ("White House", Organization.Kind.GOVERNMENT_BODY, None),
    ("American Enterprise Institute", Organization.Kind.THINK_TANK, None),
]

PEOPLE = [
    # (name, description, organization, role)
    (
        "Zack Cooper",
        "Asia security expert",
        "American Enterprise Institute",
        "Asia security expert",
    ),
    (
        "Stephen Miller",
        "Deputy White House chief of staff",
        "White House",
        "Deputy White House chief of staff",
    ),
]

ANONYMOUS_SOURCES = [
    # (description, count as written, count, reason)
    ("current and former US officials", "several", None, "speaking on condition of anonymity"),
    ("sources", "two", 2, ""),
]

OUTLET_B_NOTICE = (
    "© 2025 Outlet B. All rights reserved. Short quotations with attribution and a link to "
    "the original article are permitted."
)

DEMO_USERS = [
    # (username, group, is_superuser)
    ("editor", roles.EDITORS, False),
    ("factchecker", roles.FACT_CHECKERS, False),
    ("factchecker2", roles.FACT_CHECKERS, False),
    ("consumer", roles.API_CONSUMERS, False),
    ("admin", None, True),
]


@dataclass
class DemoResult:
    documents: list[Document] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, password)
    warnings: list[str] = field(default_factory=list)


def organization(name: str) -> Organization:
    return Organization.objects.get(name=name)


def load_sources() -> None:
    """Create the story's organizations, people and anonymous sources (idempotent)."""
    for name, kind, parent in ORGANIZATIONS:
        org, _ = Organization.objects.get_or_create(name=name, defaults={"kind": kind})
        if parent and org.parent_id is None:
            org.parent = organization(parent)
            org.save(update_fields=["parent"])
    for name, description, org_name, role in PEOPLE:
        person, _ = Person.objects.get_or_create(name=name, defaults={"description": description})
        Affiliation.objects.get_or_create(
            person=person, organization=organization(org_name), defaults={"role": role}
        )
    for description, count_text, count, reason in ANONYMOUS_SOURCES:
        AnonymousSource.objects.get_or_create(
            description=description,
            count_text=count_text,
            defaults={"count": count, "anonymity_reason": reason},
        )
    LicenseTerms.objects.get_or_create(
        notice=OUTLET_B_NOTICE,
        defaults={
            "holder": organization("Outlet B"),
            "sharing_scope": LicenseTerms.SharingScope.PUBLIC,
            "permitted_uses": "Short quotations with attribution and a link.",
            "max_external_quote_chars": 300,
            "sharing_clause": "Short quotations with attribution and a link to the original "
            "article are permitted.",
        },
    )


def load_documents(result: DemoResult) -> None:
    """Import both articles through the importer, as an editor would."""
    article_a = document_import(
        raw=(DATA / "article_a.txt").read_bytes(),
        publisher="DK Medier",
        publication="Danish Offshore Industry",
        published_at=datetime.datetime(2025, 11, 19, 10, 12, tzinfo=UTC),
        language="en",
        obtained_via=Document.ObtainedVia.DEMO,
        is_excerpt=True,
    )
    article_b = document_import(
        raw=(DATA / "article_b.txt").read_bytes(),
        publisher="Outlet B",
        published_at=datetime.datetime(2025, 11, 19, 14, 40, tzinfo=UTC),
        language="en",
        obtained_via=Document.ObtainedVia.DEMO,
        is_excerpt=True,
    )
    document_b = article_b.document
    if document_b.license_id is None:
        document_b.license = LicenseTerms.objects.get(holder__name="Outlet B")
        document_b.save(update_fields=["license"])
    for imported in (article_a, article_b):
        result.documents.append(imported.document)
        result.warnings.extend(imported.warnings)


def load_users(result: DemoResult) -> None:
    """Create (or reset) the demo users with fresh generated passwords."""
    User = get_user_model()
    for username, group_name, is_superuser in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = group_name in (roles.EDITORS, roles.FACT_CHECKERS) or is_superuser
        user.is_superuser = is_superuser
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        if group_name:
            user.groups.set([Group.objects.get(name=group_name)])
        result.users.append((username, group_name or "superuser", password))


@transaction.atomic
def load_demo(*, with_users: bool) -> DemoResult:
    """Load the reference story; create demo users only when asked and DEBUG is on."""
    if with_users and not settings.DEBUG:
        raise ValueError("Demo users are created only with DEBUG on.")
    result = DemoResult()
    load_sources()
    load_documents(result)
    if with_users:
        load_users(result)
    return result
