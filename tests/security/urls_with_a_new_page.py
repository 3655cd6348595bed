"""newsroom.urls plus one page no rule knows: the matrix must name it."""

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as newsroom_patterns

urlpatterns = [
    *newsroom_patterns,
    path("stories/", lambda request: HttpResponse("stories"), name="story-list"),
]
