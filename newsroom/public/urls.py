"""Public URLs: no login, the outside audience; every page answers GET and HEAD only."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from newsroom.public import stories, views

app_name = "public"

urlpatterns = [
    path("stories/", stories.story_index, name="stories"),
    path("stories/feed/", require_safe(stories.StoriesFeed()), name="feed"),
    path("stories/<slug:slug>/", stories.story_detail, name="story"),
    path("fact-checks/<int:pk>-<slug:slug>/", views.fact_check, name="fact-check"),
    path(
        "sitemap.xml",
        require_safe(sitemap),
        {"sitemaps": {"stories": stories.StorySitemap, "fact-checks": stories.FactCheckSitemap}},
        name="sitemap",
    ),
]
