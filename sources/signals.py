"""Signals the sources app sends; other apps connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent inside the transaction that changed a document's normalised body: args `document`.
document_body_changed = Signal()

# Sent inside the transaction that marked a document withdrawn by its sender (a kill notice or
# an editor's action): args `document`. A receiver that raises rolls the withdrawal back.
document_withdrawn = Signal()
