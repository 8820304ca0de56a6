"""The import jobs' pages, under the ``commissioning`` namespace (included from commissioning/urls.py)."""

from django.urls import path

from . import import_views

app_name = "commissioning"

urlpatterns = [
    path("<uuid:pk>/", import_views.import_job, name="import_job"),
    path("<uuid:pk>/errors.csv", import_views.import_job_errors, name="import_job_errors"),
]
