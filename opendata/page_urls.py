"""The open data landing page, at /open-data/ (``opendata:landing``)."""

from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.landing, name="landing"),
]
