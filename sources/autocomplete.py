"""Admin autocomplete widgets that survive a submitted value which cannot be a key.

Django's autocomplete widgets look the submitted value up to redisplay it, so a form posted
with `abc` for an integer key raised ValueError (a 500) instead of showing the form's own
"Select a valid choice" error. These widgets skip such values; the admins of every floor use
them through `AutocompleteKeysMixin`, and custom forms use them directly.
"""

from __future__ import annotations

from django.contrib.admin import widgets
from django.core.exceptions import ValidationError


class KeyCheckingMixin:
    def optgroups(self, name, value, attr=None):
        remote_opts = self.field.remote_field.model._meta
        to_field = remote_opts.get_field(
            getattr(self.field.remote_field, "field_name", None) or remote_opts.pk.name
        )
        return super().optgroups(name, [v for v in value if _is_key(to_field, v)], attr)


def _is_key(field, value) -> bool:
    try:
        field.run_validators(field.to_python(value))  # the validators bound an integer's range
    except ValidationError:
        return False
    return "\x00" not in str(value)


class AutocompleteSelect(KeyCheckingMixin, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(KeyCheckingMixin, widgets.AutocompleteSelectMultiple):
    pass


class AutocompleteKeysMixin:
    """Give a ModelAdmin's or inline's `autocomplete_fields` the key-checking widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
