"""Admin building blocks shared by every floor (sources is the ground floor: all may import it)."""

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """A record nobody adds, edits or deletes in the admin (append-only logs, runs): view only."""

    actions = None  # no bulk delete, nor any other bulk change

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
