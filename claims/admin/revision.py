"""Admin edits carry the claim revision they were built on; an edit on an older one is refused.

Two editors who open one claim (or one chain) and both save would otherwise each write over the
other. The page sends back the revision it showed (a hidden `expected_revision`); the form
refuses a stale one with the admin's own message and nothing is written, and the services check
it again under the claim's row lock (`recording.ensure_revision`), so an edit that lands
between the form's check and the save is refused too.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from claims.workflow import StaleVersion

STALE_REVISION = (
    "Someone else changed this claim since you opened it — reload the page to see their "
    "changes, then make yours again. Nothing was saved."
)


class RevisionCheckedForm(forms.ModelForm):
    """A change form that sends back the claim revision it showed, and refuses a stale one."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["expected_revision"]  # a new row is built on nothing older
        else:
            self.initial["expected_revision"] = self.loaded_revision()

    def loaded_revision(self) -> int:
        """The revision of the claim this form edits, as loaded for this request."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_revision")
        if self.instance.pk is not None and expected is not None:
            if expected != self.loaded_revision():
                raise ValidationError(STALE_REVISION, code="stale_revision")
        return cleaned


class RefusesStaleEdits:
    """ModelAdmin mixin: a StaleVersion raised while saving rolls back and asks for a reload."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion:
            # Raised inside the admin's transaction, which it has rolled back: nothing written.
            self.message_user(request, STALE_REVISION, messages.ERROR)
            return redirect(request.get_full_path())
