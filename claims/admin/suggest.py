"""The suggester's forms: accept a proposal for an existing or a new claim; pick a document."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from claims.models import Appearance, Attribution, Claim, ExternalCheck
from claims.suggest import ExternalCheckProposal
from sources.autocomplete import AutocompleteSelect
from sources.models import Document, Organization


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


class AcceptAppearanceForm(AcceptForm):
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
