"""Recount every claim's independent origins in batches, restartably, with progress lines."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.models import Claim
from claims.origins import recount_batch

DEFAULT_CHECKPOINT = ".recount_origins.checkpoint"


class Command(BaseCommand):
    help = (
        "Recount and store Claim.independent_origins for all claims, in id order, one atomic "
        "batch at a time. After each batch the last claim id done is written to the checkpoint "
        "file; --resume continues after it (or give --after ID)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--after", type=int, help="Start after this claim id.")
        parser.add_argument(
            "--resume", action="store_true", help="Continue after the checkpoint's claim id."
        )
        parser.add_argument(
            "--checkpoint",
            default=DEFAULT_CHECKPOINT,
            help=f"Where the last claim id done is kept (default: ./{DEFAULT_CHECKPOINT}).",
        )

    def handle(self, *args, batch_size, after, resume, checkpoint, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if resume and after is not None:
            raise CommandError("Give --resume or --after, not both.")
        checkpoint = Path(checkpoint)
        if resume:
            after = read_checkpoint(checkpoint)
        after = after or 0
        total = Claim.objects.filter(pk__gt=after).count()
        self.stdout.write(
            f"Recounting independent origins of {total:,} claims after id {after}, "
            f"{batch_size:,} per batch."
        )
        started = time.perf_counter()
        done = corrected = 0
        while True:
            last, counted, fixed = recount_batch(after=after, batch_size=batch_size)
            if last is None:
                break
            after, done, corrected = last, done + counted, corrected + fixed
            write_checkpoint(checkpoint, after)  # the batch is committed: it is done
            elapsed = time.perf_counter() - started
            rate = done / elapsed if elapsed else 0.0
            left = (total - done) / rate if rate else 0.0
            self.stdout.write(
                f"{progress_bar(done, total)} {done:,}/{total:,} claims, {corrected:,} corrected, "
                f"last id {after}, {rate:,.0f}/s, {left:,.0f} s left"
            )
        checkpoint.unlink(missing_ok=True)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {done:,} claims recounted, {corrected:,} counts corrected "
                f"in {elapsed:.1f} s."
            )
        )


def progress_bar(done: int, total: int, width: int = 30) -> str:
    share = done / total if total else 1.0
    filled = min(width, int(share * width))
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:6.1%}"


def read_checkpoint(path: Path) -> int:
    try:
        text = path.read_text().strip()
    except FileNotFoundError as error:
        raise CommandError(f"Nothing to resume: no checkpoint at {path}.") from error
    if not text.isdigit():
        raise CommandError(f"The checkpoint {path} does not hold a claim id: {text[:40]!r}.")
    return int(text)


def write_checkpoint(path: Path, claim_id: int) -> None:
    """Replace the checkpoint atomically, so an interruption never leaves half a number."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(f"{claim_id}\n")
    os.replace(partial, path)
