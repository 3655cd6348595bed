"""Import one published document from a text file."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from sources.import_report import FORMAT_AUTO, FORMATS
from sources.ingest import ImportResult, IngestError, document_import
from sources.models import Document


class Command(BaseCommand):
    help = (
        "Import a document from a UTF-8 text or HTML file: extract and normalise its text, record "
        "the licence terms of its rights notice, and store it once (re-importing the same text "
        "changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Text or HTML file holding the document as published.")
        parser.add_argument("--publisher", required=True, help="Publisher name (created if new).")
        parser.add_argument("--publication", default="", help="Publication name, if any.")
        parser.add_argument("--url", default="", help="Where the document was published.")
        parser.add_argument(
            "--headline", default="", help="Headline; read from the text if not given."
        )
        parser.add_argument(
            "--published-at",
            default="",
            help="Publication time in ISO 8601 with a time zone, e.g. 2025-11-20T09:30:00+01:00.",
        )
        parser.add_argument("--language", default="", help="BCP 47 language code, e.g. 'en'.")
        parser.add_argument(
            "--embargo-until",
            default="",
            help="Keep the document from consumers and public pages until this time (ISO 8601 "
            "with a time zone, e.g. 2025-11-20T11:00:00+00:00).",
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=FORMAT_AUTO,
            help="Read the file as plain text or as an HTML page; 'auto' (the default) sniffs.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the result as one JSON object, with what was removed, detected and "
            "needs a decision.",
        )

    def handle(self, *args, **options):
        raw = self._read(Path(options["path"]))
        published_at = self._moment(options["published_at"], option="--published-at")
        embargo_until = self._moment(options["embargo_until"], option="--embargo-until")
        try:
            result = document_import(
                raw=raw,
                publisher=options["publisher"],
                publication=options["publication"],
                url=options["url"],
                headline=options["headline"],
                published_at=published_at,
                language=options["language"],
                embargo_until=embargo_until,
                obtained_via=Document.ObtainedVia.IMPORT_COMMAND,
                input_format=options["format"],
            )
        except IngestError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(result), ensure_ascii=False))
        else:
            self._summary(result)

    def _read(self, path: Path) -> bytes:
        # Read one byte past the limit, so an oversized file is refused without loading it all.
        try:
            with path.open("rb") as file:
                return file.read(settings.NEWSROOM_MAX_IMPORT_BYTES + 1)
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None

    def _moment(self, value: str, *, option: str):
        if not value:
            return None
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise CommandError(
                f"Invalid {option} {value!r}: use ISO 8601 with a time zone, "
                "e.g. 2025-11-20T09:30:00+01:00."
            )
        return moment

    def _summary(self, result: ImportResult) -> None:
        document = result.document
        verb = "Imported" if result.created else "Already imported as"
        headline = f' "{document.headline}"' if document.headline else ""
        self.stdout.write(
            f"{verb} document {document.pk}{headline} ({len(document.paragraphs)} paragraphs)."
        )
        if document.embargo_until is not None:
            self.stdout.write(
                f"Under embargo until {document.embargo_until.isoformat()}: nothing of it "
                "reaches consumers or public pages before then."
            )
        terms = document.license
        if terms is not None:
            tdm = "TDM reserved" if terms.tdm_reserved else "TDM not reserved"
            self.stdout.write(
                f"Licence: {terms.holder.name}, {tdm}, sharing "
                f"{terms.get_sharing_scope_display().lower()}."
            )
        report = result.report
        if report is not None:
            for group in report.removed_by_kind():
                self.stdout.write(
                    f"Removed {group['count']} × {group['kind']}: {group['texts'][0]}"
                )
            for what, detection in report.detected.items():
                value = detection["value"]
                value = ", ".join(value) if isinstance(value, list) else value
                self.stdout.write(
                    f"Detected {what.replace('_', ' ')}: {value} ({detection['source']})."
                )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if report is not None:
            for decision in report.decisions:
                self.stdout.write(self.style.NOTICE(f"To decide: {decision}"))


def _as_json(result: ImportResult) -> dict:
    document = result.document
    terms = document.license
    return {
        "id": document.pk,
        "created": result.created,
        "paragraphs": len(document.paragraphs),
        "embargo_until": document.embargo_until.isoformat() if document.embargo_until else None,
        "license": None
        if terms is None
        else {
            "holder": terms.holder.name,
            "tdm_reserved": terms.tdm_reserved,
            "sharing_scope": terms.sharing_scope,
        },
        "credits": [
            {"agency": credit.organization.name, "shape": credit.shape, "text": credit.text}
            for credit in result.credits
        ],
        "warnings": result.warnings,
        "report": result.report.as_dict() if result.report is not None else None,
    }
