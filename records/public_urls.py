"""The public statements, readable without signing in: /accessibility/ and /privacy/."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns: list = [
    path("accessibility/", public_views.accessibility, name="accessibility"),
    path("accessibility/edit/", public_views.accessibility_edit, name="accessibility_edit"),
    path("privacy/", public_views.privacy, name="privacy"),
    path("privacy/edit/", public_views.privacy_edit, name="privacy_edit"),
]
