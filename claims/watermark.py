"""The per-audience watermark behind the list validators: when what an audience sees changed.

Every write to something a claim response shows (claims, their topics, documents, licence
terms, agreements, and the people, organizations and anonymous sources in chains) records a
`ChangeStamp` in the same transaction: always for staff, and for outside consumers only when
they can see the row, so a consumer's `Last-Modified` never tells when the newsroom works on
something unpublished (issue 9, D12). Readers take the newest stamp with one indexed query
instead of aggregating over the tables on every request (issue 11).

Model saves and deletes are caught by signals connected in `ClaimsConfig.ready()`, so the admin,
the importer, feeds and the services all stamp without knowing of it; the one bulk `UPDATE` of
claims (`recording.claim_touch`) stamps explicitly. Each change inserts rows rather than moving
one row per audience: a single hot row would make every writing transaction wait for the others'
commits, and could deadlock with the services' own row locks.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from claims.models import CONCLUDED, ChangeStamp, Claim, Topic
from claims.visibility import (
    documents_visible_to,
    licenses_visible_to,
    organizations_visible_to,
    people_visible_to,
)
from sources.licensing import Audience
from sources.models import (
    Affiliation,
    Agreement,
    AnonymousSource,
    Document,
    LicenseTerms,
    Organization,
    Person,
)

OUTSIDE = AnonymousUser()


def change_stamp(*, outside: bool, at: datetime.datetime | None = None) -> None:
    """Record a change staff can see, and outside consumers too when `outside`."""
    at = at or timezone.now()
    rows = [ChangeStamp(audience=Audience.STAFF, at=at)]
    if outside:
        rows.append(ChangeStamp(audience=Audience.EXTERNAL, at=at))
    ChangeStamp.objects.bulk_create(rows)


def latest_change(audience: Audience) -> datetime.datetime | None:
    """The newest change this audience can see (one indexed query)."""
    return ChangeStamp.objects.latest_for(audience)


def claims_changed(claim_ids: Iterable[int], *, at: datetime.datetime | None = None) -> None:
    """Stamp a change to these claims: outside too when any of them is or was public."""
    claim_ids = list(claim_ids)
    if claim_ids:
        outside = Claim.objects.filter(pk__in=claim_ids).ever_concluded().exists()
        change_stamp(outside=outside, at=at)


# Whether outside consumers can see a row, by model: the same scopes the read API applies.
def _claim_public(claim: Claim) -> bool:
    # A reopened claim was public: its readers' copies changed too.
    return claim.status in CONCLUDED or Claim.objects.filter(pk=claim.pk).ever_concluded().exists()


def _agreement_public(agreement: Agreement) -> bool:
    licences = licenses_visible_to(OUTSIDE)
    return licences.filter(
        Q(holder_id=agreement.holder_id) | Q(holder__parent_id=agreement.holder_id)
    ).exists()


def _visible(scope: Callable) -> Callable:
    def public(instance) -> bool:
        return scope(OUTSIDE).filter(pk=instance.pk).exists()

    return public


PUBLIC: dict[type, Callable] = {
    Claim: _claim_public,
    Topic: lambda topic: Claim.objects.concluded().filter(topics=topic.pk).exists(),
    Document: _visible(documents_visible_to),
    LicenseTerms: _visible(licenses_visible_to),
    Agreement: _agreement_public,
    Organization: _visible(organizations_visible_to),
    Person: _visible(people_visible_to),
    Affiliation: lambda affiliation: (
        people_visible_to(OUTSIDE).filter(pk=affiliation.person_id).exists()
    ),
    AnonymousSource: lambda source: (
        Claim.objects.concluded().filter(appearances__chain__anonymous_source=source.pk).exists()
    ),
}


def on_saved(sender, instance, **kwargs) -> None:
    change_stamp(outside=PUBLIC[sender](instance), at=getattr(instance, "updated_at", None))


def on_deleting(sender, instance, **kwargs) -> None:
    # Before the delete, while the row still says who could see it.
    change_stamp(outside=PUBLIC[sender](instance))
