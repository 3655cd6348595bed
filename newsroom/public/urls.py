"""Public URLs: no login, the outside audience."""

from django.urls import path

from newsroom.public import views

app_name = "public"

urlpatterns = [
    path("fact-checks/<int:pk>-<slug:slug>/", views.fact_check, name="fact-check"),
]
