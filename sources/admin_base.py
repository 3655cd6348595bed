"""Admin building blocks shared by every floor (sources is the ground floor: all may import it)."""

from django.contrib import admin
from django.forms.models import _get_foreign_key
from django.utils import timezone, translation
from django.utils.formats import date_format


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """A record nobody adds, edits or deletes in the admin (append-only logs, runs): view only."""

    actions = None  # no bulk delete, nor any other bulk change

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HidesEmptySectionsMixin:
    """Leave off the page every inline the user cannot add to and that has no rows.

    An empty section with no way to add to it ("ADD EXTERNAL CHECKS" with no row for an
    editor, "AGENCY CREDITS" with none for a fact-checker) says nothing but "not for you".
    An inline may define `has_rows(request, obj)` to answer from what the page already loaded.
    """

    def get_inline_instances(self, request, obj=None):
        return [
            inline
            for inline in super().get_inline_instances(request, obj)
            if inline.has_add_permission(request, obj) or _has_rows(inline, request, obj)
        ]


def _has_rows(inline, request, obj) -> bool:
    if obj is None or obj.pk is None:
        return False
    if hasattr(inline, "has_rows"):
        return inline.has_rows(request, obj)
    fk = _get_foreign_key(inline.parent_model, inline.model, fk_name=inline.fk_name)
    return inline.get_queryset(request).filter(**{fk.name: obj}).exists()


def embargo_note(document) -> str:
    """Say, for staff, that a document is under embargo and what that hides ("" when not)."""
    if not document.is_under_embargo():
        return ""
    until = timezone.localtime(document.embargo_until)
    return (
        f"Under embargo until {date_format(until, 'DATETIME_FORMAT')} {until:%Z}: nothing of it "
        "reaches consumers or public pages before then."
    )


class UnderEmbargoFilter(admin.SimpleListFilter):
    """Documents whose embargo has not passed, or those free to go out."""

    title = "embargo"
    parameter_name = "embargo"

    def lookups(self, request, model_admin):
        return [("yes", "Under embargo"), ("no", "No embargo, or passed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.under_embargo()
        if self.value() == "no":
            return queryset.released()
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    """Documents in one language, chosen among those the documents have.

    The languages come from DocumentQuerySet.languages(), an index skip scan, where Django's
    own filter on the field lists them with a DISTINCT over the whole table.
    """

    title = "language"
    parameter_name = "language"  # the URL Django's filter on the field made

    def lookups(self, request, model_admin):
        return [(code, language_label(code)) for code in model_admin.model.objects.languages()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(language=self.value())


def language_label(code: str) -> str:
    """Name a BCP 47 code the way editors say it ("Danish (da)"), or give the code as it is."""
    try:
        info = translation.get_language_info(code)
    except KeyError:
        return code
    return f"{info['name']} ({code})"
