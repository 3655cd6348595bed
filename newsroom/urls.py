"""Root URL configuration: the admin, the API under /api/v1/, its schema and docs, TDMRep."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from newsroom.api.claims import ClaimReviewFeedView, ClaimViewSet
from newsroom.api.sources import (
    DocumentViewSet,
    LicenseTermsViewSet,
    OrganizationViewSet,
    PersonViewSet,
    newsroom_tdm_policy_view,
    tdmrep_wellknown_view,
)
from sources.odrl import NEWSROOM_TDM_POLICY_PATH

admin.site.site_header = "newsroom"
admin.site.site_title = "newsroom"
admin.site.index_title = "Sources, claims and verification"

router = DefaultRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("documents", DocumentViewSet, basename="document")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("licenses", LicenseTermsViewSet, basename="licenseterms")

api_patterns = [
    path("claimreview/", ClaimReviewFeedView.as_view(), name="claimreview-feed"),
    *router.urls,
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("newsroom.public.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline, so the
    # Content-Security-Policy needs no 'unsafe-inline' for scripts.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    path(".well-known/tdmrep.json", tdmrep_wellknown_view, name="tdmrep"),
    path(NEWSROOM_TDM_POLICY_PATH.lstrip("/"), newsroom_tdm_policy_view, name="tdm-policy"),
]
