"""From a passage selected in a document to a claim or an appearance.

The selection script sends the selected text and its approximate offset; `quote_selector`
anchors it with claims.anchoring and the add pages open pre-filled with the exact selector.
Their forms check it again (the text may have changed meanwhile) and the recording services
write the rows.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from claims import recording
from claims.admin.display import quote_in_context
from claims.admin.inlines import add_service_error, trial
from claims.anchoring import AnchorError, anchor
from claims.models import Appearance, Claim
from sources.models import Document

SELECTOR_FIELDS = ("document", "exact", "prefix", "suffix", "start", "end")


def quote_selector(document: Document, *, exact: str, start: int | None) -> dict:
    """Anchor a selected passage and return its selector as add-page parameters.

    Raises AnchorError (a ValidationError) when the passage is not, or not unambiguously, in
    the document's text.
    """
    exact = exact.strip()
    found = anchor(document.body, exact=exact, start=start)
    return {
        "document": document.pk,
        "exact": document.body[found.start : found.end],
        "prefix": found.prefix,
        "suffix": found.suffix,
        "start": found.start,
        "end": found.end,
    }


def carries_quote(request) -> bool:
    """Return whether an add page was opened (or posted) with a quote's selector."""
    return bool(request.GET.get("exact") or request.POST.get("exact"))


def quote_preview(request) -> dict | None:
    """Describe the quote an add page was opened with: its document and the quote in context."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        document = Document.objects.get(pk=int(data.get("document", "")))
        start, end = int(data.get("start", "")), int(data.get("end", ""))
    except (Document.DoesNotExist, ValueError):
        return None
    return {
        "document": document,
        "quote": quote_in_context(document.body, start, end, data.get("exact", "")),
    }


def _context_field() -> forms.CharField:
    return forms.CharField(required=False, strip=False, widget=forms.HiddenInput)


class QuoteSelectorForm(forms.ModelForm):
    """The selector fields an add page carries from the selection, anchored again on submit."""

    def anchored(self, cleaned: dict) -> None:
        document, exact = cleaned.get("document"), cleaned.get("exact")
        if document is None or not exact:
            return
        try:
            anchor(
                document.body,
                exact=exact,
                prefix=cleaned.get("prefix", ""),
                suffix=cleaned.get("suffix", ""),
                start=cleaned.get("start"),
            )
        except AnchorError as error:
            self.add_error(None, error)


class ClaimFromQuoteForm(QuoteSelectorForm):
    """A new claim in the newsroom's words, recorded with the quote it was started from."""

    document = forms.ModelChoiceField(queryset=Document.objects.all(), widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, widget=forms.HiddenInput)
    prefix = _context_field()
    suffix = _context_field()
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = ["text", "summary", "topics"]

    def clean(self):
        cleaned = super().clean()
        self.anchored(cleaned)
        return cleaned


class AppearanceAddForm(QuoteSelectorForm):
    """A quote recorded as a further appearance of an existing claim."""

    prefix = forms.CharField(
        required=False,
        strip=False,
        max_length=Appearance._meta.get_field("prefix").max_length,
        help_text="Text just before the quote, when it appears more than once.",
    )
    suffix = forms.CharField(
        required=False,
        strip=False,
        max_length=Appearance._meta.get_field("suffix").max_length,
        help_text="Text just after the quote, when it appears more than once.",
    )
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = Appearance
        fields = ["claim", "document", "exact", "prefix", "suffix", "start"]
        widgets = {"exact": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        labels = {"claim": "Appearance of the claim", "exact": "Quote"}

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("claim") or not cleaned.get("document"):
            return cleaned
        # The service's verdict (a concluded claim, a duplicate, a quote not in the text)
        # becomes a form error now, not an exception after the page was posted.
        with trial():
            try:
                self.record(user=None)
            except ValidationError as error:
                add_service_error(self, error)
        return cleaned

    def record(self, *, user) -> Appearance:
        data = self.cleaned_data
        return recording.appearance_create(
            claim=data["claim"],
            document=data["document"],
            exact=data["exact"],
            prefix=data.get("prefix", ""),
            suffix=data.get("suffix", ""),
            start=data.get("start"),
            user=user,
        )
