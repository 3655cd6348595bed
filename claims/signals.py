"""Signals the claims app sends; higher floors connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent by claims.workflow.claim_transition after the VerificationEvent row is written, inside
# the same transaction (a receiver that raises rolls the move back). Arguments: `claim` (the
# locked claim, already in its new state), `event` (the VerificationEvent), `from_status`,
# `to_status` and `actor`.
claim_transitioned = Signal()
