"""Single sign-on pages: start (to the provider), callback (back from it), refusal, and log-out.

They sit under /accounts/login/ so that they are open before sign-in like the log-in page itself.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .sso import (
    SESSION_ID_TOKEN_KEY,
    SESSION_MFA_KEY,
    SsoRefused,
    mfa_from_claims,
    provider_metadata,
    sso_configured,
)

logger = logging.getLogger(__name__)


def refused(request, refusal: SsoRefused) -> HttpResponse:
    logger.warning("Single sign-on refused: %s", refusal.reason)
    return render(request, "commissioning/sso_refused.html", {"message": refusal.message}, status=refusal.status)


class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge (kept in the session)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is discovered at request time, not read from settings

    def get(self, request):
        if not sso_configured():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except SsoRefused as refusal:
            return refused(request, refusal)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: state matched, code exchanged (with the PKCE verifier), ID token checked, user
    signed in; every refusal gets the refusal page saying why."""

    def get(self, request):
        if not sso_configured():
            raise Http404("Single sign-on is not configured.")
        if request.GET.get("error"):
            # The provider refused (or the person cancelled): forget the state so it cannot be replayed.
            request.session.get("oidc_states", {}).pop(request.GET.get("state", ""), None)
            request.session.modified = True
            return refused(
                request,
                SsoRefused(
                    "The council's sign-in service did not sign you in. Start again from the sign-in page.",
                    reason=f"provider error {request.GET['error']}: {request.GET.get('error_description', '')}",
                ),
            )
        try:
            return super().get(request)
        except SuspiciousOperation:
            # The state is not one this browser was given: a forged or replayed callback.
            return refused(
                request,
                SsoRefused(
                    "This sign-in was not started from this browser, or has already been used. Start again "
                    "from the sign-in page.",
                    reason="state not in session",
                    status=400,
                ),
            )
        except SsoRefused as refusal:
            return refused(request, refusal)

    def login_failure(self):
        return refused(
            self.request,
            SsoRefused(
                "You have not been signed in. Start again from the sign-in page.",
                reason="no sign-in in progress, or an inactive user",
                status=400,
            ),
        )

    def login_success(self):
        mfa = mfa_from_claims(self.request.sso_claims)
        # Set before log-in (for user_logged_in receivers) and again after (log-in may start a new session).
        self.request.session[SESSION_MFA_KEY] = mfa
        response = super().login_success()
        self.request.session[SESSION_MFA_KEY] = mfa
        self.request.session[SESSION_ID_TOKEN_KEY] = self.request.sso_id_token
        return response


class SsoSignOutView(LogoutView):
    """Ends the session here, then (when the provider offers it) at the provider too."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(SESSION_ID_TOKEN_KEY)
        end_session = None
        if id_token and sso_configured():
            try:
                end_session = provider_metadata().get("end_session_endpoint")
            except SsoRefused:
                end_session = None  # the provider is down: sign out here at least
        response = super().post(request, *args, **kwargs)
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")
