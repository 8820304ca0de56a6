from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from commissioning import health, sso_views
from commissioning import views as core_views
from dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    # GOV.UK Frontend's CSS asks for its fonts and images under /assets/.
    re_path(r"^assets/(?P<path>.+)$", RedirectView.as_view(url=static("govuk/assets/") + "%(path)s", permanent=True)),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    # Sign-out also ends the session at the identity provider after a single sign-on (like LogoutView otherwise).
    path("accounts/logout/", sso_views.SsoSignOutView.as_view(), name="logout"),
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
    # Single sign-on: under /accounts/login/ so that they are open before sign-in (middleware.OPEN_PREFIXES).
    path(
        "",
        include(
            (
                [
                    path("accounts/login/sso/", sso_views.SsoStartView.as_view(), name="start"),
                    path("accounts/login/sso/callback/", sso_views.SsoCallbackView.as_view(), name="callback"),
                ],
                "sso",
            )
        ),
    ),
    # Liveness and readiness for orchestrators and load balancers (/healthz stays the liveness answer).
    path("healthz/live", health.healthz, name="healthz-live"),
    path("healthz/ready", health.healthz_ready, name="healthz-ready"),
    path("api/v1/search/", include("search.api_urls")),
    path("search/", include("search.urls")),
    path("", include("commissioning.urls")),
]
