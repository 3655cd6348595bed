"""Walk the verification log's hash chain and report the first event that breaks it."""

from django.core.management.base import BaseCommand, CommandError

from claims.audit import walk_chain
from claims.models import VerificationEvent

CHAIN_FIELDS = [
    "pk",
    "claim_id",
    "version",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "rationale",
    "evidence",
    "created_at",
    "previous_hash",
    "hash",
]


class Command(BaseCommand):
    help = (
        "Verify the verification log's hash chain: exit 0 with a summary when every event "
        "holds, non-zero naming the first event that was changed, removed or inserted."
    )

    def handle(self, *args, **options):
        events = VerificationEvent.objects.in_chain_order().only(*CHAIN_FIELDS)
        report = walk_chain(events.iterator(chunk_size=2000))
        if not report.intact:
            raise CommandError(f"The chain is broken: {report.reason}")
        if report.head_id is None:
            self.stdout.write("The verification log is empty: nothing to verify.")
            return
        self.stdout.write(
            f"{report.verified} events verified: the chain is intact; its head is event "
            f"{report.head_id} with hash {report.head_hash} (keep it to notice a cut tail)."
        )
