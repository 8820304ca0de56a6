"""Every page needs a log-in (and the second step for those who enrolled one, or its set-up for administrators
who signed in with a password); every response carries a strict Content-Security-Policy and switches off
browser features the service never uses; no signed-in response is kept by a browser or proxy."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths reachable without logging in. The API authenticates itself (session or token)
# and answers 401/403, so browsers and clients get the right status rather than a redirect.
# The accessibility statement and privacy notice are public (Public Sector Bodies Accessibility Regulations 2018).
OPEN_PREFIXES = ("/accounts/login/", "/static/", "/assets/", "/api/", "/healthz", "/accessibility/", "/privacy/")

# The open-data landing page: open to anyone only when the council publishes open data (OPEN_DATA_PUBLIC);
# the files themselves sit under /api/ and check the setting there.
OPEN_DATA_PREFIXES = ("/open-data/",)

# Session flag set at log-in for a user who has a confirmed authenticator (commissioning.two_factor):
# kept in the session so that people without one pay no query per request.
SECOND_FACTOR_SESSION_KEY = "two_factor_required"

# Reachable after the password but before the code: the second step itself, signing out, and assets.
SECOND_FACTOR_OPEN_PREFIXES = ("/accounts/two-factor/verify/", "/accounts/logout/", "/static/", "/assets/", "/healthz")

# Session flag set at a password sign-in of an administrator with no authenticator yet: nothing opens until one
# is set up (commissioning.otp.services.remember_second_factor_at_login).
ENROLMENT_SESSION_KEY = "two_factor_enrolment_required"
ENROLMENT_OPEN_PREFIXES = ("/accounts/two-factor/set-up/", "/accounts/logout/", "/static/", "/assets/", "/healthz")

# Set by single sign-on when the identity provider says the person gave its own second factor.
SSO_MFA_SESSION_KEY = "sso_mfa"


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not (settings.OPEN_DATA_PUBLIC and request.path.startswith(OPEN_DATA_PREFIXES))
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Someone who enrolled an authenticator gets nowhere (admin included) until they have typed its code (or a
    backup code); an administrator who signed in with a password and has none gets nowhere until it is set up.
    A single sign-on session whose identity provider checked a second factor counts as verified.

    Must come after django_otp's OTPMiddleware, which tells whether this session was verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if (
            (session.get(SECOND_FACTOR_SESSION_KEY) or session.get(ENROLMENT_SESSION_KEY))
            and request.user.is_authenticated
            and session.get(SSO_MFA_SESSION_KEY) is not True
            and not request.user.is_verified()
        ):
            if session.get(SECOND_FACTOR_SESSION_KEY):
                return self._refuse(
                    request,
                    "two_factor:verify",
                    SECOND_FACTOR_OPEN_PREFIXES,
                    "Enter the code from your authenticator app first.",
                )
            return self._refuse(
                request,
                "two_factor:enrol",
                ENROLMENT_OPEN_PREFIXES,
                "Administrators must set up an authenticator app first, at /accounts/two-factor/set-up/.",
            )
        return self.get_response(request)

    def _refuse(self, request, url_name: str, open_prefixes: tuple[str, ...], api_message: str):
        if request.path.startswith(open_prefixes):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            # Session-authenticated API calls from a half-signed-in browser: refuse, do not redirect.
            return JsonResponse(
                {"status": 403, "code": "second_factor_required", "detail": api_message, "errors": {}}, status=403
            )
        target = reverse(url_name)
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """Nothing a signed-in person (browser session or API token) is sent may be kept by the browser, its back
    button or a proxy: ``Cache-Control: no-store`` replaces whatever caching the view asked for (unless that
    already says no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # DRF puts a token's user on the request too, so API calls signed with a token are covered.
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if signed_in and "no-store" not in response.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        return response


_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def _serialise(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


CONTENT_SECURITY_POLICY = _serialise(_POLICY)

# Browser features no page of the service uses.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def policy_for(path: str) -> str:
    """The Content-Security-Policy for a path. One strict policy for all, API documentation included
    (commissioning.api.SwaggerView serves Swagger UI with no inline script or style)."""
    return CONTENT_SECURITY_POLICY


class ContentSecurityPolicyMiddleware:
    """No inline scripts or styles anywhere: scripts live in static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy_for(request.path))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Django's SecurityMiddleware sets Cross-Origin-Opener-Policy; resources are for this site only.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class SessionActivityMiddleware:
    """Keep a signed-in session alive while it is used: an hour of inactivity ends it.

    Saving the session on every request would cost a database write per page; marking it changed at most
    once a minute moves the expiry on just the same, to within a minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("_last_seen", 0)
            if now - last_seen >= settings.SESSION_ACTIVITY_RESOLUTION:
                request.session["_last_seen"] = now
        return self.get_response(request)
