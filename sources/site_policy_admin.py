"""Admin for machine-readable TDM signals: each site's observations, conflicts and policies.

View only: signals are recorded by `manage.py record_site_policy` and by the importer, through
`sources.site_policy.site_policy_record`; the editor reads here what they add up to.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from sources.admin_base import ReadOnlyModelAdmin
from sources.models import SitePolicy, SiteSignal, TdmPolicy
from sources.site_policy import Effective, read_policy, site_conflicts


class SiteSignalInline(admin.TabularInline):
    model = SiteSignal
    extra = 0
    can_delete = False
    fields = [
        "location",
        "pattern",
        "resource_url",
        "reservation",
        "tdm_policy_url",
        "user_agent",
        "source",
        "observed_at",
        "raw",
        "superseded_at",
    ]
    readonly_fields = fields
    ordering = ["superseded_at", "location", "position", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SitePolicy)
class SitePolicyAdmin(ReadOnlyModelAdmin):
    list_display = ["host", "publisher", "current_signals", "updated_at"]
    list_select_related = ["publisher"]
    search_fields = ["host", "publisher__name"]
    fields = ["publisher", "host", "warnings", "robots", "updated_at"]
    readonly_fields = fields
    inlines = [SiteSignalInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(current_count=Count("signals", filter=Q(signals__superseded_at__isnull=True)))
        )

    @admin.display(description="Current signals", ordering="current_count")
    def current_signals(self, site):
        return site.current_count

    def _current(self, site):
        return list(site.signals.current().select_related("site", "tdm_policy"))

    @admin.display(description="Warnings for the editor")
    def warnings(self, site):
        current = self._current(site)
        found = site_conflicts(current)
        found += [
            f"The TDM policy {s.tdm_policy_url} named by the {s.get_location_display()} has not "
            "been read: mining stays reserved with no known way to license it."
            for s in current
            if s.tdm_policy_url
            and s.reservation == 1
            and (s.tdm_policy is None or not s.tdm_policy.document)
        ]
        if not found:
            return "None: the current signals agree."
        items = format_html_join("", "<li>{}</li>", ((warning,) for warning in found))
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="robots.txt (informative, never decisive)")
    def robots(self, site):
        rules = [s for s in self._current(site) if s.location == "robots_txt"]
        if not rules:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} may not crawl {}</li>", ((s.user_agent, s.pattern) for s in rules)
            ),
        )


@admin.register(TdmPolicy)
class TdmPolicyAdmin(ReadOnlyModelAdmin):
    list_display = ["url", "recorded_at", "problem"]
    search_fields = ["url"]
    fields = ["url", "source", "recorded_at", "problem", "offers"]
    readonly_fields = fields

    @admin.display(description="What it offers")
    def offers(self, policy):
        if not policy.document:
            return "Not read: the conditions are unknown."
        reading = read_policy(policy.document)
        if reading.problems:
            return "Cannot be read: " + "; ".join(reading.problems) + "."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} — duties: {}; constraints: {}</li>",
                (
                    (p.action, ", ".join(p.duties) or "none", ", ".join(p.constraints) or "none")
                    for p in reading.permissions
                ),
            ),
        )


class SitePolicyInline(admin.TabularInline):
    """The publisher's sites, on its organization page (the signals are on each site's page)."""

    model = SitePolicy
    extra = 0
    can_delete = False
    fields = ["site_link", "updated_at"]
    readonly_fields = fields
    verbose_name = "site policy (machine-readable TDM signals)"
    verbose_name_plural = "site policies (machine-readable TDM signals)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Site")
    def site_link(self, site):
        url = reverse("admin:sources_sitepolicy_change", args=[site.pk])
        return format_html('<a href="{}">{}</a>', url, site.host)


def signal_panel(signal: Effective | None) -> str:
    """The document page's account of its site's machine-readable signals."""
    if signal is None:
        return "No machine-readable TDM signal is recorded for this document's site."
    if signal.reservation is None:
        said = "None of the site's signals covers this URL: tdm-reservation is unset."
    else:
        said = f"tdm-reservation {signal.reservation}, from the {signal.where()}."
    if signal.policy_url:
        read = "read" if signal.policy is not None and signal.policy.document else "not read"
        said += f" TDM policy: {signal.policy_url} ({read})."
    notes = [*signal.conflicts, *signal.informative]
    site = signal.decided_by.site if signal.decided_by else None
    link = ""
    if site is not None:
        url = reverse("admin:sources_sitepolicy_change", args=[site.pk])
        link = format_html(' <a href="{}">Site policy</a>', url)
    if not notes:
        return format_html("{}{}", said, link)
    return format_html(
        "{}{}<ul>{}</ul>",
        said,
        link,
        format_html_join("", '<li class="warning">{}</li>', ((n,) for n in notes)),
    )
