"""Edit a stored document: the one place a document's body changes after import."""

from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import Document
from sources.signals import document_body_changed


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
