from django.urls import path

from . import views
from .oversight_urls import urlpatterns as oversight_patterns

app_name = "contracts"

# The register's pages; visits, concerns, sanctions, action plans and escalation come from oversight_urls.
urlpatterns: list = [
    path("", views.contract_list, name="list"),
    path("export.csv", views.contract_export_csv, name="export_csv"),
    path("export.xlsx", views.contract_export_xlsx, name="export_xlsx"),
    path("add/", views.contract_create, name="create"),
    path("needs-decision/", views.needs_decision, name="needs_decision"),
    path("import/", views.contract_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/changes/add/", views.contract_change_add, name="change_add"),
    path("<int:pk>/decision/", views.contract_decision, name="decision"),
    *oversight_patterns,
]
