"""Edit a stored document: the one place a document's body, withdrawal or embargo changes
after import."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sources.models import Document
from sources.signals import document_body_changed, document_withdrawn


def body_conflict(*, document: Document, body: str) -> Document | None:
    """Return another document of the same title that already has exactly this body, if any.

    Another title's document with this body is a copy of the same text, not a conflict.
    """
    return (
        Document.objects.same_text_from(
            body=body, publisher=document.publisher_id, publication=document.publication_id
        )
        .exclude(pk=document.pk)
        .first()
    )


@transaction.atomic
def document_body_update(*, document: Document, body: str) -> Document:
    """Replace a document's normalised body and let dependants (anchored quotes) follow it.

    Raises ValidationError when another document already has this body.
    """
    if not body.strip():
        raise ValidationError({"body": "The body cannot be empty."})
    other = body_conflict(document=document, body=body)
    if other is not None:
        raise ValidationError({"body": f"Document {other.pk} ('{other}') has exactly this body."})
    document.body = body
    document.save()
    document_body_changed.send(sender=Document, document=document)
    return document


@transaction.atomic
def document_withdraw(*, document: Document, reason: str, at: datetime | None = None) -> bool:
    """Mark a document withdrawn by its sender; return False when it already was.

    Nothing of a withdrawn document goes outside (sources.licensing.decide); receivers of
    `document_withdrawn` (the claims resting on it are flagged for review) run in this
    transaction, so the withdrawal and its consequences land together or not at all.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"withdrawn_reason": "Say why the document is withdrawn."})
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.withdrawn_at is not None:
        return False
    document.withdrawn_at = at or timezone.now()
    document.withdrawn_reason = reason[:500]
    document.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    document_withdrawn.send(sender=Document, document=document)
    return True


@transaction.atomic
def document_embargo_set(*, document: Document, embargo_until: datetime | None) -> bool:
    """Set (or lift, with None) a document's embargo; return whether it changed.

    Raises ValidationError for a time without a time zone.
    """
    if embargo_until is not None and timezone.is_naive(embargo_until):
        raise ValidationError({"embargo_until": "The embargo time needs a time zone."})
    if document.embargo_until == embargo_until:
        return False
    document.embargo_until = embargo_until
    document.save(update_fields=["embargo_until", "updated_at"])
    return True
