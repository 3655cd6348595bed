"""Public URLs: no login, the outside audience."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from newsroom.public import stories, views

app_name = "public"

urlpatterns = [
    path("stories/", stories.story_index, name="stories"),
    path("stories/feed/", stories.StoriesFeed(), name="feed"),
    path("stories/<slug:slug>/", stories.story_detail, name="story"),
    path("fact-checks/<int:pk>-<slug:slug>/", views.fact_check, name="fact-check"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"stories": stories.StorySitemap, "fact-checks": stories.FactCheckSitemap}},
        name="sitemap",
    ),
]
