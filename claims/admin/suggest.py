"""The suggester's forms: accept a proposal for an existing or a new claim; pick a document."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from claims.models import Appearance, Attribution, Claim, ExternalCheck
from claims.suggest import AgentProposal, ExternalCheckProposal
from sources.agents import AgentKind
from sources.autocomplete import AutocompleteSelect
from sources.models import AnonymousSource, Document, Organization


class AcceptForm(forms.Form):
    """Accept one proposal for an existing claim, or for a new claim written here."""

    new_claim = forms.CharField(
        label="or a new claim",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="In the newsroom's own words.",
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "claim": forms.ModelChoiceField(
                Claim.objects.all(),
                label="Existing claim",
                required=False,
                widget=AutocompleteSelect(Appearance._meta.get_field("claim"), admin_site),
            ),
            **self.fields,
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("claim") and cleaned.get("new_claim"):
            raise ValidationError("Choose an existing claim or write a new one, not both.")
        if not cleaned.get("claim") and not cleaned.get("new_claim") and not self.errors:
            raise ValidationError("Choose an existing claim or write a new one.")
        return cleaned


NEW_SOURCE = "new"


def matching_anonymous_sources(proposal: AgentProposal) -> list[AnonymousSource]:
    """The anonymous sources on record that a proposed one describes: the same description,
    count as written and reason for anonymity (case aside). Never reads an identity."""
    return list(
        AnonymousSource.objects.filter(
            description__iexact=proposal.name,
            count_text__iexact=proposal.count_text,
            anonymity_reason__iexact=proposal.anonymity_reason,
        )
        .only("description", "count_text", "anonymity_reason")
        .order_by("pk")
    )


class AcceptAppearanceForm(AcceptForm):
    """Accept an appearance; an anonymous origin already on record is reused, not repeated.

    With one matching source on record it is reused unless the user asks for a new one; with
    several the user is asked which.
    """

    def __init__(self, *args, admin_site, proposal=None, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields["reporter"] = forms.ModelChoiceField(
            Organization.objects.all(),
            required=False,
            widget=AutocompleteSelect(Attribution._meta.get_field("organization"), admin_site),
            help_text="Leave empty to use the organization named in the text.",
        )
        relays = [relay.organization for relay in proposal.chain.relays] if proposal else []
        if relays:
            self.fields["relays"] = forms.ModelMultipleChoiceField(
                Organization.objects.filter(pk__in=[o.pk for o in relays]),
                required=False,
                initial=[o.pk for o in relays],
                widget=forms.CheckboxSelectMultiple,
                label="Relays",
                help_text="News agencies the document credits, linked between the reporter "
                "and the publisher; untick any that did not carry this passage.",
            )
            self.fields["relays"].label_from_instance = lambda o: f"{o.name} (credited)"
        origin = proposal.chain.origin if proposal is not None else None
        self.origin_proposal = origin
        self.matches = (
            matching_anonymous_sources(origin)
            if origin is not None and origin.kind == AgentKind.ANONYMOUS
            else []
        )
        if self.matches:
            self.fields["origin"] = forms.ChoiceField(
                label="Anonymous origin",
                required=False,
                choices=[
                    *((str(source.pk), f"The one on record: {source}") for source in self.matches),
                    (NEW_SOURCE, "Record a new anonymous source"),
                ],
                initial=str(self.matches[0].pk) if len(self.matches) == 1 else None,
                help_text="The same description, count and reason are already on record.",
            )

    def clean_origin(self):
        value = self.cleaned_data.get("origin") or ""
        if value == NEW_SOURCE:
            return None  # the suggester records a new one
        by_key = {str(source.pk): source for source in self.matches}
        if value in by_key:
            return by_key[value]
        if not value and len(self.matches) == 1:
            return self.matches[0]
        if not value:
            name = self.origin_proposal.name
            raise ValidationError(
                f"{len(self.matches)} anonymous sources on record match “{name}”; choose one, "
                "or record a new one."
            )
        raise ValidationError("Choose one of the anonymous sources listed.")


class AcceptCheckForm(AcceptForm):
    checked_at = forms.DateTimeField(label="When", required=False)

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields["organization"] = forms.ModelChoiceField(
            Organization.objects.all(),
            required=False,
            widget=AutocompleteSelect(ExternalCheck._meta.get_field("organization"), admin_site),
            help_text="Leave empty to use the organization named in the text.",
        )
        self.order_fields(["claim", "new_claim", "organization", "checked_at"])


class DocumentPickForm(forms.Form):
    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"] = forms.ModelChoiceField(
            Document.objects.all(),
            widget=AutocompleteSelect(Appearance._meta.get_field("document"), admin_site),
        )


def accept_form(proposal, key: str, *, admin_site, data=None) -> AcceptForm:
    """Return the accept form for one proposal, its fields prefixed with the proposal's key."""
    if isinstance(proposal, ExternalCheckProposal):
        return AcceptCheckForm(data, prefix=key, admin_site=admin_site)
    return AcceptAppearanceForm(data, prefix=key, admin_site=admin_site, proposal=proposal)
