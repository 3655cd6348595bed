"""Licence terms as an editor confirms or corrects them: the one place that records who did.

The importer reads a notice into LicenseTerms (`sources.ingest`); when it cannot classify the
notice the TDM status is unknown and `sources.licensing.decide()` withholds the text until an
editor confirms the terms here. The admin's change form and its "confirm" action both call
these functions. Re-importing the same notice reuses the terms as the editor left them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from sources.models import LicenseTerms

CHANGE_PERMISSION = "sources.change_licenseterms"
# Fields that say what the notice means: changing one is the editor's reading of the notice.
CLASSIFICATION_FIELDS = frozenset(
    {
        "tdm_status",
        "tdm_legal_basis",
        "tdm_clause",
        "tdm_scope",
        "permitted_purposes",
        "sharing_scope",
        "sharing_clause",
    }
)
UNKNOWN_CANNOT_BE_CONFIRMED = (
    "Choose the TDM status the notice states before confirming: 'unknown' cannot be confirmed."
)


class TermsError(Exception):
    """A confirmation or correction that cannot be recorded; the message is one line."""


def confirmation_problem(*, tdm_status: str) -> str | None:
    """Say why terms with this TDM status cannot be confirmed, or None if they can."""
    if tdm_status == LicenseTerms.TdmStatus.UNKNOWN:
        return UNKNOWN_CANNOT_BE_CONFIRMED
    return None


def license_terms_confirm(*, terms: LicenseTerms, user) -> LicenseTerms:
    """Record that `user` checked the terms against the notice; decide() then uses them."""
    _check_permission(user)
    with transaction.atomic():
        locked = LicenseTerms.objects.select_for_update().get(pk=terms.pk)
        problem = confirmation_problem(tdm_status=locked.tdm_status)
        if problem:
            raise TermsError(problem)
        locked.confirmed_by = user
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    terms.confirmed_by, terms.confirmed_at = locked.confirmed_by, locked.confirmed_at
    return locked


def license_terms_save(
    *, terms: LicenseTerms, user, changed: Iterable[str] = (), confirm: bool = False
) -> LicenseTerms:
    """Save an editor's edit of the terms; a correction of their meaning is a confirmation.

    Changing what the terms say the notice means (the TDM status, its scope, purposes, basis
    or the sharing scope) records the editor as having confirmed them, unless the status is
    set back to unknown, which clears any confirmation so the terms await one again.
    """
    _check_permission(user)
    corrected = bool(CLASSIFICATION_FIELDS & set(changed))
    with transaction.atomic():
        if confirm:
            problem = confirmation_problem(tdm_status=terms.tdm_status)
            if problem:
                raise TermsError(problem)
        if terms.tdm_status == LicenseTerms.TdmStatus.UNKNOWN:
            terms.confirmed_by, terms.confirmed_at = None, None
        elif confirm or corrected:
            terms.confirmed_by, terms.confirmed_at = user, timezone.now()
        terms.save()
    return terms


def _check_permission(user) -> None:
    if user is None or not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied("Confirming licence terms needs permission to change them.")
