from django.urls import path

from . import views

app_name = "providers"

urlpatterns: list = [
    path("", views.provider_list, name="list"),
    path("<int:pk>/", views.provider_detail, name="detail"),
    path("<int:pk>/assess/", views.risk_assess, name="assess"),
    path("risk/", views.risk_overview, name="risk_overview"),
    path("locations/", views.location_list, name="locations"),
    path("rating-drops/", views.rating_drops, name="rating_drops"),
    path("cqc-import/", views.cqc_import, name="cqc_import"),
    path("cqc-alerts/", views.cqc_alert_list, name="cqc_alerts"),
    path("cqc-alerts/<int:pk>/acknowledge/", views.cqc_alert_acknowledge, name="cqc_alert_acknowledge"),
]
