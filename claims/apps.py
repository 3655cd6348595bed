from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and verification"

    def ready(self):
        from django.db.models.signals import post_save, pre_delete, pre_save

        from claims import watermark
        from claims.models import VerificationEvent, refuse_raw_overwrite_of_event
        from claims.recording import on_document_body_changed
        from claims.review_flags import on_document_withdrawn
        from sources.signals import document_body_changed, document_withdrawn

        # loaddata saves past VerificationEvent.save(): the log must not be rewritten that way.
        pre_save.connect(
            refuse_raw_overwrite_of_event,
            sender=VerificationEvent,
            dispatch_uid="claims.refuse_raw_overwrite_of_event",
        )

        # Quotes follow their document: when its body changes they are re-anchored or flagged.
        document_body_changed.connect(
            on_document_body_changed, dispatch_uid="claims.reanchor_on_document_body_changed"
        )

        # A withdrawn document calls the claims resting on it into question: flag them.
        document_withdrawn.connect(
            on_document_withdrawn, dispatch_uid="claims.flag_claims_on_document_withdrawn"
        )
        # The list validators' watermark: every change to what a claim response shows is
        # stamped when its transaction commits, for staff and, when public, for outside
        # consumers (claims/watermark.py).
        for model in watermark.PUBLIC:
            label = model._meta.label_lower
            post_save.connect(
                watermark.on_saved, sender=model, dispatch_uid=f"claims.stamp_saved.{label}"
            )
            pre_delete.connect(
                watermark.on_deleting, sender=model, dispatch_uid=f"claims.stamp_deleting.{label}"
            )
