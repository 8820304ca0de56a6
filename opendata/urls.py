"""Routes of the open data exports, included in the API's v1 namespace under /api/v1/ (``v1:export-…``)."""

from django.urls import path

from . import views
from .performance_notices import PerformanceNoticesJsonView

urlpatterns = [
    path("exports/contracts.csv", views.TransparencyCsvView.as_view(), name="export-contracts-csv"),
    path(
        "exports/invitations-to-tender.csv",
        views.InvitationsToTenderCsvView.as_view(),
        name="export-invitations-to-tender-csv",
    ),
    path("exports/ocds.json", views.OcdsView.as_view(), name="export-ocds"),
]


urlpatterns += [
    path(
        "exports/contract-performance-notices.json",
        PerformanceNoticesJsonView.as_view(),
        name="export-contract-performance-notices",
    ),
]
