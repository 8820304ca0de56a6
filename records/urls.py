"""Records and data protection pages, under /records/ (administrators and the data protection officer)."""

from django.urls import path

from . import (
    retention_views,
    subject_access_views,
)

app_name = "records"

urlpatterns: list = [
    path("retention/", retention_views.schedule, name="retention"),
    path("retention/due/", retention_views.due, name="retention_due"),
    path("retention/<str:record_type>/edit/", retention_views.rule_edit, name="retention_rule_edit"),
    path("holds/", retention_views.holds, name="holds"),
    path("holds/place/", retention_views.hold_place, name="hold_place"),
    path("holds/<int:pk>/release/", retention_views.hold_release, name="hold_release"),
    path("subject-access/", subject_access_views.subject_access_search, name="subject_access"),
    path("subject-access/<int:pk>/", subject_access_views.subject_access_results, name="subject_access_results"),
    path(
        "subject-access/<int:pk>/export.csv",
        subject_access_views.subject_access_export_csv,
        name="subject_access_export_csv",
    ),
    path(
        "subject-access/<int:pk>/export.pdf",
        subject_access_views.subject_access_export_pdf,
        name="subject_access_export_pdf",
    ),
    path("subject-access/<int:pk>/redact/", subject_access_views.subject_access_redact, name="subject_access_redact"),
    path("redactions/", subject_access_views.redaction_log, name="redactions"),
]
