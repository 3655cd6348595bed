"""Turn raw article text into one stored Document with its licence terms.

The import command, the API and the admin's "Import document" page all call
`document_import()`: decode the raw bytes and normalise the text (`sources.text`), read the
trailing rights notice into LicenseTerms (`sources.notices`), record the agencies the text
credits (`sources.credits`), and store the body once per title: the same agency story in two
titles is two documents, copies of one text (`Document.objects.copies_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from sources import credits as wire_credits
from sources.errors import field_messages
from sources.import_report import (
    FORMAT_AUTO,
    LANGUAGE_DECLARED,
    ImportReport,
    import_report,
    read_document,
)
from sources.licensing import NEW_TERMS_MAX_EXTERNAL_QUOTE_CHARS
from sources.models import (
    Document,
    DocumentCredit,
    LicenseTerms,
    Organization,
    SignalLocation,
    normalise_notice,
    sha256_hex,
)
from sources.notices import parse_notice
from sources.site_policy import document_signal_record, meta_signal
from sources.text import IngestError, decode_raw, propose_headline

__all__ = ["ImportResult", "IngestError", "document_import"]


@dataclass
class ImportResult:
    document: Document
    created: bool
    warnings: list[str] = field(default_factory=list)
    credits: list[DocumentCredit] = field(default_factory=list)
    # What was removed from the text, what was detected, what needs a decision.
    report: ImportReport | None = None


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def document_import(
    *,
    raw: bytes | str,
    publisher: str,
    publication: str = "",
    url: str = "",
    headline: str = "",
    published_at: datetime | None = None,
    language: str = "",
    obtained_via: str = Document.ObtainedVia.IMPORT_COMMAND,
    user=None,
    is_excerpt: bool = False,
    input_format: str = FORMAT_AUTO,
    embargo_until: datetime | None = None,
) -> ImportResult:
    """Store raw article text as a Document with its licence terms and agency credits.

    Idempotent per title: a document already stored at this URL, or with this body for this
    publisher and publication, is returned unchanged (created=False) and the answer describes
    it. The same body from another title is a new document, a copy of the stored text.
    input_format is "auto" (HTML is sniffed), "text" or "html"; the result's report says what
    the import removed, detected and leaves to the editor. `embargo_until` keeps everything of
    the document from consumers and public pages until that time (sources.licensing).
    Raises IngestError, having written nothing, when the input cannot be imported.
    """
    publisher, publication = publisher.strip(), publication.strip()
    url, headline, language = url.strip(), " ".join(headline.split()), language.strip()
    if not publisher:
        raise IngestError("A publisher name is required.")
    if published_at is not None and timezone.is_naive(published_at):
        raise IngestError(
            "The publication time has no time zone; give one, e.g. 2025-11-20T09:30:00+01:00."
        )
    if published_at is not None and in_utc(published_at) is None:
        raise IngestError(
            "The publication time is outside the years 1 to 9999 once converted to UTC."
        )
    if embargo_until is not None and timezone.is_naive(embargo_until):
        raise IngestError(
            "The embargo time has no time zone; give one, e.g. 2025-11-20T11:00:00+00:00."
        )
    if embargo_until is not None and in_utc(embargo_until) is None:
        raise IngestError("The embargo time is outside the years 1 to 9999 once converted to UTC.")
    if language and not _LANGUAGE_TAG.fullmatch(language):
        raise IngestError(f"Invalid language: {language!r} is not a language code such as 'en'.")

    text = decode_raw(raw)
    reading = read_document(text, input_format=input_format, find_date=published_at is None)
    normalised = reading.normalised
    warnings = list(normalised.warnings)
    paragraphs = list(normalised.paragraphs)
    given = {"headline": bool(headline), "language": bool(language), "date": bool(published_at)}
    if not headline:
        headline = reading.headline
    elif (
        reading.headline and reading.headline_in_text and not _same_text(reading.headline, headline)
    ):
        paragraphs.insert(0, reading.headline)  # not the headline given, so it is body text
    if not paragraphs:
        raise IngestError(
            "The text has no article body once furniture, credit, headline and notice are removed."
        )
    headline_proposed = not headline  # proposed once we know the text is new
    published_at = published_at or reading.published_at
    if not language and reading.language_source == LANGUAGE_DECLARED:
        language = reading.language  # what the page says; a guess only goes in the report

    document = Document(
        agency_credit=normalised.agency_credit,
        url=url,
        headline=headline,
        published_at=published_at,
        language=language,
        body="\n\n".join(paragraphs),
        raw_text=text,
        is_excerpt=is_excerpt,
        embargo_until=embargo_until,
        obtained_via=obtained_via,
        imported_by=user if user is not None and user.is_authenticated else None,
    )

    def reported(result: ImportResult) -> ImportResult:
        result.report = import_report(
            reading=reading,
            document=result.document,
            created=result.created,
            headline_given=given["headline"],
            headline_proposed=headline_proposed,
            language_given=given["language"],
            published_at_given=given["date"],
            credits=result.credits,
        )
        if result.created and headline_proposed:
            result.warnings.append(
                f"No headline was given or found; proposed “{headline}” from the first sentence."
            )
        return result

    existing = _existing(document, publisher=publisher, publication=publication)
    if existing is not None:
        return reported(existing)
    if headline_proposed:
        headline = document.headline = propose_headline(paragraphs[0])
    found_credits = wire_credits.find_credits(text)
    try:
        with transaction.atomic():
            document.publisher = _organization(
                name=publisher,
                kind=Organization.Kind.PUBLISHER,
                what="publisher",
                warnings=warnings,
            )
            if publication:
                document.publication = _organization(
                    name=publication,
                    kind=Organization.Kind.PUBLICATION,
                    parent=document.publisher,
                    what="publication",
                    warnings=warnings,
                )
            if normalised.notice:
                document.license = _license_terms(
                    notice=normalised.notice, publisher=document.publisher, warnings=warnings
                )
                if document.license.holder_id not in document.rights_holders():
                    # The text's own rights notice names the holder: that is the reason.
                    document.license_override = (
                        f"The document's rights notice names {document.license.holder} as "
                        "the rights holder."
                    )
                    warnings.append(
                        f"The rights notice names {document.license.holder}, not the "
                        f"publisher {document.publisher}; recorded why its terms apply."
                    )
            else:
                warnings.append("No rights notice was found; record the licence terms by hand.")
            _full_clean(document, what="document", exclude=["body_sha256"])
            document.save()
            credits = _credits(document=document, found=found_credits, warnings=warnings)
            _page_signal(document=document, reading=reading, warnings=warnings)
    except IntegrityError:
        # Someone stored the same body for this title in the meantime: theirs stands, ours
        # rolled back.
        existing = _existing(document, publisher=publisher, publication=publication)
        if existing is None:
            raise
        return reported(existing)
    copies = list(Document.objects.copies_of(document).select_related("publisher", "publication"))
    if copies:
        warnings.append(
            "The same text is stored for "
            + ", ".join(f"{_title(copy)} (document {copy.pk})" for copy in copies)
            + f"; stored as a copy for {_title(document)}, with its own publisher and licence "
            "terms. Copies of one text count as one origin."
        )
    return reported(
        ImportResult(document=document, created=True, warnings=warnings, credits=credits)
    )


def _page_signal(*, document: Document, reading, warnings: list[str]) -> None:
    """Record the page's TDMRep meta pair on the site policy and the licence terms."""
    if not reading.tdm_meta:
        return
    meta = meta_signal(reading.tdm_meta, reading.canonical_url)
    if meta.rule is None:
        warnings.append(f"The page's TDM meta was ignored: {meta.problem}")
        return
    document_signal_record(
        document=document,
        location=SignalLocation.HTML_META,
        rule=meta.rule,
        source=document.url or "the imported HTML",
        warnings=warnings,
    )


def in_utc(moment: datetime) -> datetime | None:
    """Return the moment in UTC, or None when it is not storable (outside years 1-9999 in
    UTC, or an offset PostgreSQL cannot take: it accepts at most ±15:59)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _title(document: Document) -> str:
    return (document.publication or document.publisher).name


def _existing(document: Document, *, publisher: str, publication: str) -> ImportResult | None:
    """Return the stored document this import is, describing it: the one at this URL, else the
    one with this body from this publisher and publication. None when there is none."""
    stored = Document.objects.with_license().order_by("pk")
    existing = stored.filter(url=document.url).first() if document.url else None
    if existing is None:
        publisher_org = Organization.objects.by_name(publisher).first()
        publication_org = Organization.objects.by_name(publication).first() if publication else None
        if publisher_org is None or (publication and publication_org is None):
            return None  # a title not yet recorded has stored nothing
        existing = stored.same_text_from(
            body=document.body, publisher=publisher_org, publication=publication_org
        ).first()
    if existing is None:
        return None
    _full_clean(
        document,
        what="document",
        exclude=["body_sha256", "publisher", "publication", "license", "imported_by"],
    )
    differences = [
        label
        for label, given, stored in (
            ("publisher", publisher, existing.publisher.name),
            ("publication", publication, existing.publication.name if existing.publication else ""),
            ("URL", document.url, existing.url),
            ("text", sha256_hex(document.body), existing.body_sha256),
            ("headline", document.headline, existing.headline),
            ("publication time", document.published_at, existing.published_at),
            ("language", document.language, existing.language),
            ("embargo", document.embargo_until, existing.embargo_until),
        )
        if given
        and (not _same_text(given, stored or "") if isinstance(given, str) else given != stored)
    ]
    # The answer describes the stored document, not what this import's text would have given.
    warnings = []
    if differences:
        warnings.append(
            f"Document {existing.pk} already holds this text; its {', '.join(differences)} "
            "differ from this import and were left unchanged."
        )
    if not existing.headline:
        warnings.append(f"Document {existing.pk} has no headline.")
    if existing.license_id is None:
        warnings.append(f"Document {existing.pk} has no licence terms; record them by hand.")
    credits = list(existing.credits.select_related("organization"))
    return ImportResult(document=existing, created=False, warnings=warnings, credits=credits)


def _credits(
    *, document: Document, found: wire_credits.Credits, warnings: list[str]
) -> list[DocumentCredit]:
    """Record each agency the text credits, linked to its news agency (created if new)."""
    recorded: dict[tuple, DocumentCredit] = {}
    for credit in found.credits:
        agency = _agency(credit.agency, warnings=warnings)
        key = (agency.pk, credit.shape, credit.start)
        if key not in recorded:
            recorded[key] = DocumentCredit(
                document=document,
                organization=agency,
                shape=credit.shape,
                text=credit.text[:500],
                start=credit.start,
                end=credit.start + len(credit.text[:500]),
            )
    credits = DocumentCredit.objects.bulk_create(list(recorded.values()))
    if credits:
        warnings.append(
            "Agency credits: "
            + "; ".join(
                f"{credit.organization.name} ({credit.get_shape_display().lower()} “{credit.text}”)"
                for credit in credits
            )
            + "."
        )
    for name in found.unrecognised:
        warnings.append(
            f"The credit line names {name}, which is not a known news agency; not credited."
        )
    return credits


def _agency(name: str, *, warnings: list[str]) -> Organization:
    """Return the news agency by its name or a known alias, creating it if there is none."""
    known = wire_credits.known_agency(name)
    aliases = known.aliases if known else (name,)
    found = {o.name.casefold(): o for o in Organization.objects.filter(_any_name(aliases))}
    for alias in aliases:
        if alias.casefold() in found:
            agency = found[alias.casefold()]
            if agency.kind != Organization.Kind.NEWS_AGENCY:
                warnings.append(
                    f"{agency.name} is credited as a news agency but recorded as "
                    f"{agency.get_kind_display().lower()}; left as it is."
                )
            return agency
    return _organization(
        name=known.name if known else name,
        kind=Organization.Kind.NEWS_AGENCY,
        what="news agency",
        warnings=warnings,
    )


def _any_name(names) -> models.Q:
    query = models.Q(pk__in=[])
    for name in names:
        query |= models.Q(name__iexact=name)
    return query


def _organization(
    *,
    name: str,
    kind: str,
    what: str,
    warnings: list[str],
    parent: Organization | None = None,
) -> Organization:
    """Return the organization with this name (any case), creating it if there is none."""
    organization = Organization.objects.by_name(name).first()
    if organization is not None:
        if parent is not None and organization != parent and organization.parent_id != parent.pk:
            warnings.append(
                f"The {what} {organization.name} is not recorded as part of {parent.name}; "
                "left as it is."
            )
        return organization
    organization = Organization(name=name, kind=kind, parent=parent)
    # Uniqueness is the database's to decide: a parallel import may create the same
    # organization between the lookup above and the insert; the IntegrityError path below
    # then returns that one instead of refusing the import.
    _full_clean(organization, what=what, unique=False)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        organization = Organization.objects.by_name(name).first()
        if organization is None:
            raise
        return organization
    warnings.append(f"Created the {what} {organization.name} ({organization.get_kind_display()}).")
    return organization


def _license_terms(*, notice: str, publisher: Organization, warnings: list[str]) -> LicenseTerms:
    """Return the licence terms recorded for this notice, reading new ones from it if needed.

    Terms already recorded for the same notice are used as they stand: an editor's
    confirmation or correction is never overwritten by a fresh reading.
    """
    notice_sha256 = sha256_hex(normalise_notice(notice))
    terms = LicenseTerms.objects.select_related("holder").filter(notice_sha256=notice_sha256)
    existing = terms.first()
    if existing is not None:
        warnings.append(f"Linked the licence terms already recorded for {existing.holder.name}.")
        if existing.awaits_confirmation:
            warnings.append(_AWAITS_CONFIRMATION.format(holder=existing.holder.name))
        return existing
    parsed = parse_notice(notice)
    if parsed.holder_name:
        holder = _organization(
            name=parsed.holder_name,
            kind=Organization.Kind.PUBLISHER,
            what="rights holder",
            warnings=warnings,
        )
    else:
        holder = publisher.group()
        warnings.append(f"The rights notice names no holder; recorded {holder.name} as the holder.")
    license_terms = LicenseTerms(
        holder=holder,
        notice=notice,
        tdm_status=parsed.tdm_status,
        tdm_legal_basis=parsed.tdm_legal_basis[:200],
        tdm_expression=parsed.tdm_expression,
        tdm_clause=parsed.tdm_clause,
        tdm_scope=parsed.tdm_scope[:300],
        permitted_purposes=list(parsed.permitted_purposes),
        notice_language=parsed.language,
        sharing_scope=parsed.sharing_scope,
        sharing_clause=parsed.sharing_clause,
        max_external_quote_chars=NEW_TERMS_MAX_EXTERNAL_QUOTE_CHARS,
    )
    _full_clean(license_terms, what="licence terms", exclude=["notice_sha256"])
    try:
        with transaction.atomic():
            license_terms.save()
    except IntegrityError:
        existing = terms.first()
        if existing is None:
            raise
        return existing
    warnings.extend(parsed.warnings)
    status = license_terms.get_tdm_status_display()
    if license_terms.tdm_status == LicenseTerms.TdmStatus.UNKNOWN:
        status = "TDM status unknown"
    else:
        status = f"TDM {status[0].lower()}{status[1:]}"
    language = f", notice in {parsed.language}" if parsed.language else ""
    warnings.append(
        f"Recorded new licence terms for {holder.name} from the rights notice ({status}, "
        f"sharing {license_terms.get_sharing_scope_display().lower()}{language}); check them."
    )
    if license_terms.awaits_confirmation:
        warnings.append(_AWAITS_CONFIRMATION.format(holder=holder.name))
    return license_terms


_AWAITS_CONFIRMATION = (
    "The licence terms for {holder} await an editor's confirmation: until then the document "
    "is treated as reserved (no mining, no quotes or sharing outside the newsroom)."
)


def _full_clean(
    instance: models.Model, *, what: str, exclude: list[str] | None = None, unique: bool = True
) -> None:
    """Validate instance, turning the first problem into a one-line IngestError."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=unique, validate_constraints=unique)
    except ValidationError as exc:
        name, messages = field_messages(exc)[0]
        if name is None:
            label = what
        else:
            label = str(instance._meta.get_field(name).verbose_name)
            label = label if label.isupper() else f"{what} {label}"
        reason = " ".join(" ".join(messages).split())
        raise IngestError(f"Invalid {label}: {reason}") from None
