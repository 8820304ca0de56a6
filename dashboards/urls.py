"""The dashboards' pages. The council dashboard keeps its address, /performance/ (mounted in config/urls.py)."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.council, name="council"),
]
