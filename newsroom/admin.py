"""Admin for API tokens: issued and revoked through newsroom.tokens; keys are shown once."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from newsroom.models import ApiToken
from newsroom.tokens import STAFF_REFUSED, may_hold_token, token_issue, token_revoke
from sources.autocomplete import AutocompleteKeysMixin


@admin.register(ApiToken)
class ApiTokenAdmin(AutocompleteKeysMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "key_prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "active",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "user__username", "key_prefix"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return [
            "user",
            "name",
            "key_prefix",
            "created_at",
            "created_by",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class TokenForm(form):
            def clean_user(self):
                user = self.cleaned_data.get("user")
                if user is not None and not may_hold_token(user):
                    raise forms.ValidationError(STAFF_REFUSED)
                return user

            def clean_expires_at(self):
                expires_at = self.cleaned_data.get("expires_at")
                if expires_at is not None and expires_at <= timezone.now():
                    raise forms.ValidationError("The expiry must be in the future.")
                return expires_at

        return TokenForm

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(boolean=True, description="Active")
    def active(self, token):
        return token.is_active

    def save_model(self, request, obj, form, change):
        if change:
            return  # tokens are not edited; they are revoked and reissued
        token, key = token_issue(
            user=obj.user, name=obj.name, expires_at=obj.expires_at, created_by=request.user
        )
        obj.pk, obj.key_prefix, obj.created_at = token.pk, token.key_prefix, token.created_at
        obj.issued_key = key  # for response_add only; never stored

    def response_add(self, request, obj, post_url_continue=None):
        """Show the new key once on this response, never in a cookie (messages are signed only)."""
        response = TemplateResponse(
            request,
            "admin/newsroom/apitoken/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Token issued: {obj.name}",
                "token": obj,
                "key": obj.issued_key,
            },
        )
        add_never_cache_headers(response)  # no-store: no cache keeps a copy of the key
        return response

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False  # keep the record of who had access; revoke instead
