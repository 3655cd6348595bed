"""Admin building blocks shared by every floor (sources is the ground floor: all may import it)."""

from django.contrib import admin
from django.utils import timezone


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """A record nobody adds, edits or deletes in the admin (append-only logs, runs): view only."""

    actions = None  # no bulk delete, nor any other bulk change

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def embargo_note(document) -> str:
    """Say, for staff, that a document is under embargo and what that hides ("" when not)."""
    if not document.is_under_embargo():
        return ""
    until = timezone.localtime(document.embargo_until)
    return (
        f"Under embargo until {until:%Y-%m-%d %H:%M %Z}: nothing of it reaches consumers or "
        "public pages before then."
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
