"""The per-audience watermark behind the list validators: when what an audience sees changed.

Every committed write to something a claim response shows (claims, their topics, documents,
licence terms, agreements, and the people, organizations and anonymous sources in chains)
records a `ChangeStamp`: always for staff, and for outside consumers only when they can see
what changed, so a consumer's `Last-Modified` never tells when the newsroom works on
something unpublished (issue 9, D12). Readers take the newest stamp with one indexed query
instead of aggregating over the tables on every request (issue 11).

Model saves and deletes are caught by signals connected in `ClaimsConfig.ready()`, so the admin,
the importer, feeds and the services all stamp without knowing of it; the one bulk `UPDATE` of
claims (`recording.claim_touch`) reports explicitly. Each change inserts rows rather than moving
one row per audience: a single hot row would make every writing transaction wait for the others'
commits, and could deadlock with the services' own row locks.

Stamping is cheap and happens after the commit, outside the services' row locks (issue 11: an
edit saves several models, and a visibility query and INSERT per saved model, under the claim's
lock, tripled the time of parallel edits). A transaction's changes are gathered in one
`_Changes`, registered with `transaction.on_commit`: it writes at most one row per audience,
dated by the newest change it saw. So:

- work that rolls back stamps nothing: Django drops the callback, also when a savepoint rolls
  back. A batch therefore never takes changes made in a savepoint newer than itself (that one
  gets a batch of its own), so a transaction that changed things first outside and then inside
  a nested `atomic()` writes one row per audience for each;
- whether outsiders can see a saved row is asked after the commit, lazily, and not at all once
  one change of the batch is known to be public. Asking late is sound: what outsiders see of
  a row follows from concluded claims, and a row leaves their view only through a change that
  stamps outside by itself: a claim reopened (`ever_concluded`: it was public) or deleted
  (judged before it goes). If another transaction published the row in between, the batch
  stamps outside too, which only moves the date of something public;
- a deleted row is judged before it goes (`pre_delete`), while it still says who could see it;
- outside a transaction (autocommit) the change is stamped at once.

Between a commit and its stamp a reader may see new data under the previous date; it then
asks with that older date and gets the change. If the stamp's INSERT itself failed after the
commit, the error reaches the caller, and the next change stamps past it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, Subquery
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


def stamps_prune() -> int:
    """Delete every stamp but the newest of each audience; return how many went.

    Only the newest row per audience is ever read, so the rest is history nobody asks for; the
    table would otherwise grow by a row or two per write forever. Safe beside writers: a stamp
    inserted meanwhile is newer than the newest seen here, or older and harmless either way.
    """
    deleted = 0
    for audience in Audience:
        newest = ChangeStamp.objects.latest_for(audience)
        if newest is not None:
            deleted += ChangeStamp.objects.filter(audience=audience, at__lt=newest).delete()[0]
    return deleted


def latest_change(audience: Audience) -> datetime.datetime | None:
    """The newest change this audience can see: one indexed query.

    Outside, an embargo that passed is a change too: it adds a document, and the claims resting
    on it, to what consumers see without any write to stamp it. The newest passed embargo of a
    document consumers can now see is read from `Document.embargo_until`'s index, in the same
    query as the newest stamp (a second query only before anything was ever stamped).
    """
    if audience == Audience.STAFF:
        return ChangeStamp.objects.latest_for(audience)
    lifted = (
        documents_visible_to(OUTSIDE)
        .filter(embargo_until__lte=timezone.now())
        .order_by("-embargo_until")
        .values_list("embargo_until", flat=True)
    )
    row = (
        ChangeStamp.objects.filter(audience=audience)
        .order_by("-at")
        .annotate(lifted=Subquery(lifted[:1]))
        .values_list("at", "lifted")
        .first()
    )
    if row is None:
        row = (None, lifted.first())
    return max((at for at in row if at is not None), default=None)


class _Changes:
    """One transaction's (or savepoint's) changes, stamped once when it commits."""

    def __init__(self, *, deferred: bool):
        self.deferred = deferred  # False in autocommit: the change is committed already
        self.stamped = False
        self.at: datetime.datetime | None = None
        self.outside = False
        self.claim_ids: set[int] = set()  # saved claims: public if ever concluded
        self.checks: dict[tuple, Callable[[], bool]] = {}  # other saved rows: public now?

    def add(self, at=None, *, outside=False, claim_ids=(), key=None, check=None) -> None:
        at = at or timezone.now()
        self.at = at if self.at is None else max(self.at, at)
        if outside:
            self.outside = True
        elif not self.outside:
            self.claim_ids.update(claim_ids)
            if check is not None:
                self.checks.setdefault(key, check)
        if not self.deferred:
            self()

    def public(self) -> bool:
        if self.outside:
            return True
        if self.claim_ids and Claim.objects.filter(pk__in=self.claim_ids).ever_concluded().exists():
            return True
        return any(check() for check in self.checks.values())

    def __call__(self) -> None:
        self.stamped = True
        change_stamp(outside=self.public(), at=self.at)


def _changes(using: str | None = None) -> _Changes:
    """The changes gathered so far in the current transaction and savepoint, or a new batch
    (registered with `on_commit`). Looked up among the connection's commit callbacks, so a
    batch whose work rolled back, and with it the callback, is never added to again."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return _Changes(deferred=False)
    # A batch registered here, or in a savepoint since released (a superset of the ones open
    # now: one rolled back would have taken its callback along), lives and dies with the work
    # done now. Not one of an enclosing context: its stamp would outlive this savepoint.
    savepoints = set(connection.savepoint_ids)
    for registered_in, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _Changes) and savepoints <= registered_in:
            if not callback.stamped:  # tests run callbacks early, leaving them in the list
                return callback
    changes = _Changes(deferred=True)
    transaction.on_commit(changes, using=using)
    return changes


def claims_changed(claim_ids: Iterable[int], *, at: datetime.datetime | None = None) -> None:
    """Report a change to these claims: outside too when any of them is or was public."""
    claim_ids = set(claim_ids)
    if claim_ids:
        _changes().add(at, claim_ids=claim_ids)


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


def on_saved(sender, instance, using=None, **kwargs) -> None:
    at = getattr(instance, "updated_at", None)
    if sender is Claim:
        _changes(using).add(at, outside=instance.status in CONCLUDED, claim_ids=[instance.pk])
    else:
        check = PUBLIC[sender]
        key = (sender, instance.pk)
        _changes(using).add(at, key=key, check=lambda: check(instance))


def on_deleting(sender, instance, using=None, **kwargs) -> None:
    # Before the delete, while the row still says who could see it; once the batch is
    # known to be public there is nothing left to ask.
    changes = _changes(using)
    changes.add(outside=changes.outside or PUBLIC[sender](instance))
