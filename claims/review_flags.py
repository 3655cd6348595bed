"""Raise and resolve review flags: the claims a change elsewhere calls into question.

A document withdrawn by its sender (sources.documents.document_withdraw) flags every claim with
an appearance on it, inside the withdrawal's transaction; the review queue lists them as
"Rests on a withdrawn document" until someone resolves the flag.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from claims.models import Appearance, ReviewFlag
from sources.models import Document


@transaction.atomic
def claims_flag_for_withdrawn_document(*, document: Document) -> int:
    """Flag every claim appearing in `document` as resting on a withdrawn document.

    Precondition: the document is withdrawn. Returns how many claims were newly flagged.
    """
    if document.withdrawn_at is None:
        raise ValueError(f"Document {document.pk} is not withdrawn.")
    claim_ids = set(Appearance.objects.filter(document=document).values_list("claim_id", flat=True))
    already = set(
        ReviewFlag.objects.filter(
            claim_id__in=claim_ids,
            reason=ReviewFlag.Reason.WITHDRAWN_DOCUMENT,
            document=document,
        ).values_list("claim_id", flat=True)
    )
    note = (
        f"“{document}” was withdrawn on {document.withdrawn_at:%Y-%m-%d}: "
        f"{document.withdrawn_reason or 'its sender withdrew it'}."
    )[:600]
    ReviewFlag.objects.bulk_create(
        ReviewFlag(
            claim_id=claim_id,
            reason=ReviewFlag.Reason.WITHDRAWN_DOCUMENT,
            document=document,
            note=note,
            created_at=document.withdrawn_at,
        )
        for claim_id in sorted(claim_ids - already)
    )
    return len(claim_ids - already)


@transaction.atomic
def review_flags_resolve(*, claim_ids, user) -> int:
    """Resolve the open review flags of these claims, recording who and when.

    Looking again at a claim is the fact-checkers' work: it takes the permission to conclude.
    """
    if not user.has_perm("claims.conclude_claim"):
        raise PermissionDenied("Only fact-checkers resolve review flags.")
    return (
        ReviewFlag.objects.open()
        .filter(claim_id__in=list(claim_ids))
        .update(resolved_at=timezone.now(), resolved_by=user)
    )


def on_document_withdrawn(sender, document, **kwargs) -> None:
    """Receiver for sources.signals.document_withdrawn (connected in ClaimsConfig.ready)."""
    claims_flag_for_withdrawn_document(document=document)
