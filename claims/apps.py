from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and verification"

    def ready(self):
        from claims.recording import on_document_body_changed
        from sources.signals import document_body_changed

        # Quotes follow their document: when its body changes they are re-anchored or flagged.
        document_body_changed.connect(
            on_document_body_changed, dispatch_uid="claims.reanchor_on_document_body_changed"
        )
