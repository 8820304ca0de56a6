"""The API tokens page: people create and revoke their own token for API clients."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token


def _breadcrumbs():
    return [("API tokens", None)]


@require_http_methods(["GET"])
def tokens(request: HttpRequest) -> HttpResponse:
    """Whether I have a token, when it was made, and the buttons to create or revoke it."""
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "commissioning/tokens.html",
        {"token": token, "breadcrumbs": _breadcrumbs(), "docs_url": reverse("api-docs")},
    )


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a new token (replacing any old one) and show it this once: the page never shows it again."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    response = render(
        request,
        "commissioning/tokens_created.html",
        {"token": token, "breadcrumbs": [("API tokens", reverse("tokens")), ("New token", None)]},
    )
    # The key is on this page only: do not let a browser or proxy keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    deleted, _ = Token.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, "Your API token has been revoked. Clients using it can no longer connect.")
    return redirect("tokens")
