from django.urls import path

from . import views

app_name = "contracts"

# The register's pages. Visits, concerns, sanctions, action plans, escalation and the annual statistics are
# the oversight app's (their old addresses here redirect there: oversight/legacy_urls.py).
urlpatterns: list = [
    path("", views.contract_list, name="list"),
    path("export.csv", views.contract_export_csv, name="export_csv"),
    path("export.xlsx", views.contract_export_xlsx, name="export_xlsx"),
    path("add/", views.contract_create, name="create"),
    path("needs-decision/", views.needs_decision, name="needs_decision"),
    path("import/", views.contract_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/changes/add/", views.contract_change_add, name="change_add"),
    path("<int:pk>/changes/<int:change_pk>/", views.contract_change, name="change"),
    path("<int:pk>/decision/", views.contract_decision, name="decision"),
    path("<int:pk>/termination/", views.contract_termination, name="termination"),
    # The procurement work plan.
    path("procurement/", views.procurement_list, name="procurement"),
    path("procurement/export.csv", views.procurement_export_csv, name="procurement_export_csv"),
    path("procurement/export.xlsx", views.procurement_export_xlsx, name="procurement_export_xlsx"),
    path("procurement/add/", views.procurement_project_create, name="procurement_project_create"),
    path("procurement/pipeline-notice/", views.pipeline_notice, name="pipeline_notice"),
    path("procurement/pipeline-notice.csv", views.pipeline_notice_csv, name="pipeline_notice_csv"),
    path("procurement/<int:pk>/", views.procurement_project, name="procurement_project"),
    path("procurement/<int:pk>/edit/", views.procurement_project_edit, name="procurement_project_edit"),
    path("procurement/<int:pk>/stage/", views.procurement_project_stage, name="procurement_project_stage"),
]
