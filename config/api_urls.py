"""REST API routes under /api/: v1 resources and exports, the OpenAPI schema and its Swagger UI."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from commissioning.api import SwaggerView

# Each app's api.py lists its resources as ROUTES = [(prefix, viewset, basename), ...].
API_APPS = ("strategies", "contracts", "oversight", "providers", "performance", "scrutiny")

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for label in API_APPS:
    for prefix, viewset, basename in import_module(f"{label}.api").ROUTES:
        router.register(prefix, viewset, basename=basename)

v1 = [
    path("", include(router.urls)),
    path("", include("opendata.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    # The schema and its documentation are public: they describe the API, not the council's data.
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]), name="schema"
    ),
    path(
        "docs/",
        SwaggerView.as_view(url_name="schema", permission_classes=[AllowAny], authentication_classes=[]),
        name="api-docs",
    ),
]
