"""Admin for feeds and their runs: add a feed (URL or upload), run it now, read each run."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html_join

from sources.admin_base import ReadOnlyModelAdmin
from sources.feeds import FeedError
from sources.fetch import FetchError
from sources.models import Feed, FeedEntry, IngestRun
from sources.tasks import ingest_feed

UPLOAD_MAX_BYTES = 10 * 1024 * 1024


class FeedForm(forms.ModelForm):
    upload_file = forms.FileField(
        required=False, label="Upload", help_text="A feed file, when the feed has no URL."
    )

    class Meta:
        model = Feed
        fields = ["name", "publisher", "url", "format", "poll_minutes", "active"]
        formfield_callback = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload_file")
        if upload is not None and upload.size > UPLOAD_MAX_BYTES:
            self.add_error("upload_file", f"The file is larger than {UPLOAD_MAX_BYTES:,} bytes.")
        has_upload = upload is not None or bool(self.instance.upload)
        if not cleaned.get("url") and not has_upload:
            self.add_error("url", "Give the feed's URL or upload a feed file.")
        if not cleaned.get("url") and cleaned.get("poll_minutes"):
            self.add_error("poll_minutes", "Only a feed with a URL can be polled.")
        return cleaned

    def save(self, commit=True):
        upload = self.cleaned_data.get("upload_file")
        if upload is not None:
            self.instance.upload = upload.read()
        return super().save(commit)


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    form = FeedForm
    list_display = ["name", "publisher", "format", "poll_minutes", "active", "last_run_at"]
    list_filter = ["active", "format"]
    search_fields = ["name", "url", "publisher__name"]
    list_select_related = ["publisher"]
    autocomplete_fields = ["publisher"]
    readonly_fields = ["last_run_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["run_now"]

    @admin.action(description="Run the selected feeds now", permissions=["change"])
    def run_now(self, request, queryset):
        for feed in queryset:
            try:
                # In-process without a broker; queued for a worker with one.
                ingest_feed.delay(feed.pk)
            except (FeedError, FetchError) as error:
                self.message_user(request, f"{feed}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{feed}: run started; see its runs below.")


@admin.register(IngestRun)
class IngestRunAdmin(ReadOnlyModelAdmin):
    list_display = [
        "started_at",
        "source",
        "publisher",
        "status",
        "seen",
        "created",
        "updated",
        "withdrawn",
        "unchanged",
        "embargoed",
        "failed",
    ]
    list_filter = ["status", "feed"]
    list_select_related = ["publisher"]
    fields = [
        "feed",
        "source",
        "publisher",
        "status",
        "started_by",
        "started_at",
        "finished_at",
        ("seen", "created", "updated", "withdrawn", "unchanged", "embargoed", "failed"),
        "failure_lines",
        "note_lines",
        "error",
    ]
    readonly_fields = fields[:7] + list(fields[7]) + ["failure_lines", "note_lines", "error"]

    @admin.display(description="Failed items")
    def failure_lines(self, run):
        return (
            format_html_join("", "<p>{}: {}</p>", ((f["item"], f["reason"]) for f in run.failures))
            or "—"
        )

    @admin.display(description="Held or skipped")
    def note_lines(self, run):
        return (
            format_html_join("", "<p>{}: {}</p>", ((n["item"], n["note"]) for n in run.notes))
            or "—"
        )


@admin.register(FeedEntry)
class FeedEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["guid", "publisher", "version", "status", "document", "updated_at"]
    list_filter = ["status"]
    search_fields = ["guid"]
    list_select_related = ["publisher", "document"]
    readonly_fields = ["publisher", "guid", "version", "status", "document", "last_run"]
