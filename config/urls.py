from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from commissioning import views as core_views
from dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    # GOV.UK Frontend's CSS asks for its fonts and images under /assets/.
    re_path(r"^assets/(?P<path>.+)$", RedirectView.as_view(url=static("govuk/assets/") + "%(path)s", permanent=True)),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", include("commissioning.otp.urls")),
    path("media/<path:path>", core_views.protected_media, name="media"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("strategies/", include("strategies.urls")),
    # The oversight pages' old addresses under /contracts/ redirect to /oversight/.
    path("contracts/", include("oversight.legacy_urls")),
    path("contracts/", include("contracts.urls")),
    path("oversight/", include("oversight.urls")),
    path("providers/", include("providers.urls")),
    # The council dashboard reads every app; it keeps the performance pages' root address.
    path("performance/", include("dashboards.urls")),
    path("performance/", include("performance.urls")),
    path("scrutiny/", include("scrutiny.urls")),
    path("open-data/", include("opendata.page_urls")),
    path("records/", include("records.urls")),
    path("", include("records.public_urls")),
    path("", include("commissioning.urls")),
]
