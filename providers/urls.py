from django.urls import path

from . import views

app_name = "providers"

urlpatterns: list = [
    path("", views.provider_list, name="list"),
    path("<int:pk>/", views.provider_detail, name="detail"),
    path("<int:pk>/assess/", views.risk_assess, name="assess"),
    path("risk/", views.risk_overview, name="risk_overview"),
    path("risk-assessments/<int:pk>/", views.risk_assessment_detail, name="risk_assessment_detail"),
    path("risk-methods/", views.risk_method_list, name="risk_methods"),
    path("risk-methods/new/", views.risk_method_create, name="risk_method_create"),
    path("risk-methods/<int:pk>/", views.risk_method_detail, name="risk_method_detail"),
    path("locations/", views.location_list, name="locations"),
    path("rating-drops/", views.rating_drops, name="rating_drops"),
    path("cqc-import/", views.cqc_import, name="cqc_import"),
    path("cqc-alerts/", views.cqc_alert_list, name="cqc_alerts"),
    path("cqc-alerts/<int:pk>/acknowledge/", views.cqc_alert_acknowledge, name="cqc_alert_acknowledge"),
]
