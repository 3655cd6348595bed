"""Signals the sources app sends; other apps connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent inside the transaction that changed a document's normalised body: args `document`.
document_body_changed = Signal()
