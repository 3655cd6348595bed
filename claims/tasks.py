"""Background work on Celery for claims: recounting independent origins in batches, and
keeping the watermark's table small.

Each task message carries its keyset position (`after`), so the work is restartable by
construction: a task lost with its worker is redelivered (acks late) and recounts the same
batches again, which is idempotent; when it finishes its share it queues the next one.
"""

from __future__ import annotations

from celery import shared_task

from claims.origins import recount_batch
from claims.watermark import stamps_prune

BATCHES_PER_TASK = 50


@shared_task
def recount_origins(
    after: int = 0, batch_size: int = 2000, batches: int = BATCHES_PER_TASK
) -> dict[str, int | None]:
    """Recount `batches` batches of claims after id `after`, then queue the rest."""
    counted = corrected = 0
    last = after
    for _ in range(batches):
        done, n, fixed = recount_batch(after=last, batch_size=batch_size)
        if done is None:
            return {"last_id": last, "counted": counted, "corrected": corrected, "next": None}
        last, counted, corrected = done, counted + n, corrected + fixed
    recount_origins.delay(after=last, batch_size=batch_size, batches=batches)
    return {"last_id": last, "counted": counted, "corrected": corrected, "next": last}


@shared_task
def prune_change_stamps() -> int:
    """Keep only the newest watermark stamp per audience (celery beat runs it hourly)."""
    return stamps_prune()
