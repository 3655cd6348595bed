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
from claims.admin import picker
from claims.admin.chain import ROLE_CHOICES, chain_links, check_new_agents, publishers_of
from claims.admin.display import quote_in_context
from claims.admin.inlines import add_service_error, trial
from claims.anchoring import AnchorError, anchor
from claims.models import Appearance, Attribution, Claim
from sources.models import Document

Role = Attribution.Role
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


class ChainRowForm(forms.Form):
    """One link of a new claim's chain: its agent from the one picker, its role from its place."""

    agent = picker.AgentField(required=False, label="Who")
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)
    verb = forms.CharField(
        max_length=Attribution._meta.get_field("verb").max_length,
        required=False,
        widget=forms.TextInput(attrs={"size": 12}),
    )


ChainRowFormSet = forms.formset_factory(
    ChainRowForm, extra=0, max_num=recording.MAX_CHAIN_LINKS, validate_max=True
)
CHAIN_ROWS = 4  # origin, reporter, one relay, publisher: the shape of most wire stories


class ClaimFromQuoteForm(QuoteSelectorForm):
    """A new claim in the newsroom's words, recorded with the quote it was started from and,
    on the same page, the quote's chain: origin first, the document's publisher last."""

    document = forms.ModelChoiceField(queryset=Document.objects.all(), widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, widget=forms.HiddenInput)
    prefix = _context_field()
    suffix = _context_field()
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    user = None  # set by ClaimAdmin.get_form for the request

    class Media:
        js = ["claims/agent_picker.js"]
        css = {"all": ["claims/agent_picker.css"]}

    class Meta:
        model = Claim
        fields = ["text", "summary", "topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain_document = self.document_named(
            self.data.get("document") if self.is_bound else self.initial.get("document")
        )
        publisher = (
            self.chain_document.publication or self.chain_document.publisher
            if self.chain_document is not None
            else None
        )
        initial = [{} for _ in range(CHAIN_ROWS - 1)]
        if publisher is not None:
            initial.append({"agent": publisher, "role": Role.PUBLISHER, "verb": "published"})
        # A post without the chain's rows (a script, an older page) records no chain.
        posted = self.is_bound and "chain-TOTAL_FORMS" in self.data
        self.chain = ChainRowFormSet(self.data if posted else None, prefix="chain", initial=initial)

    @staticmethod
    def document_named(value):
        try:
            return Document.objects.select_related("publisher", "publication").get(pk=int(value))
        except (Document.DoesNotExist, TypeError, ValueError):
            return None

    def publishers(self) -> str:
        """The document's publishers as picker values, for the role the script suggests."""
        return " ".join(picker.token(o) for o in publishers_of(self.chain_document))

    def full_clean(self):
        super().full_clean()
        if self.chain.is_bound and not self.chain.is_valid():
            self.add_error(None, "The chain has errors; each is shown on its row.")

    def chain_rows(self) -> list[tuple[str, str, object]]:
        """The rows that name an agent, once the editor filled any (the publisher alone, as
        the page offers it, is not a chain)."""
        if not self.chain.is_bound or not self.chain.has_changed():
            return []
        return [
            (row.get("role", ""), row.get("verb", ""), row["agent"])
            for row in (form.cleaned_data for form in self.chain.forms)
            if row.get("agent")
        ]

    def chain_links(self, *, user) -> list[recording.ChainLink]:
        return chain_links(
            self.chain_rows(), user=user, publishers=publishers_of(self.cleaned_data["document"])
        )

    def clean(self):
        cleaned = super().clean()
        self.anchored(cleaned)
        if self.errors or (self.chain.is_bound and not self.chain.is_valid()):
            return cleaned
        if not self.chain_rows():
            return cleaned
        # The services' verdict on the chain (its order, an agent to record) becomes a form
        # error now, not an exception after the claim was saved.
        try:
            check_new_agents(self.chain_rows(), user=self.user)
            with trial():
                claim = recording.claim_create(text=cleaned.get("text") or "-", user=None)
                appearance = recording.appearance_create(
                    claim=claim,
                    document=cleaned["document"],
                    exact=cleaned["exact"],
                    prefix=cleaned.get("prefix", ""),
                    suffix=cleaned.get("suffix", ""),
                    start=cleaned.get("start"),
                    user=None,
                )
                recording.chain_set(appearance=appearance, links=self.chain_links(user=None))
        except ValidationError as error:
            self.add_error(None, ValidationError(error.messages))
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
