from django.urls import path  # noqa: F401

from . import views  # noqa: F401
from .oversight_urls import urlpatterns as oversight_patterns

app_name = "contracts"

# The register's pages; visits, concerns, sanctions, action plans and escalation come from oversight_urls.
urlpatterns: list = [*oversight_patterns]
