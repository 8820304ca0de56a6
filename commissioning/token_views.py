"""The API tokens page: people create and revoke their own token for API clients."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from .models import User


def _signed_in(request: HttpRequest) -> User:
    """The person asking: every page needs a sign-in (commissioning.middleware.LoginRequiredMiddleware)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _breadcrumbs():
    return [("API tokens", None)]


@require_http_methods(["GET"])
def tokens(request: HttpRequest) -> HttpResponse:
    """Whether I have a token, when it was made, and the buttons to create or revoke it."""
    token = Token.objects.filter(user=_signed_in(request)).first()
    return render(
        request,
        "commissioning/tokens.html",
        {"token": token, "breadcrumbs": _breadcrumbs(), "docs_url": reverse("api-docs")},
    )


def _replace_token(user: User) -> Token:
    """Delete the user's token and make a new one, one request at a time for each user.

    The token's user is unique: two requests that both delete and then both insert would collide. Locking the
    user's row first makes a second request (a double click, a script) wait until the first has committed.
    """
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a new token (replacing any old one) and show it this once: the page never shows it again."""
    user = _signed_in(request)
    try:
        token = _replace_token(user)
    except IntegrityError:
        # Only where the database cannot lock the row (SQLite): another request made a token meanwhile.
        messages.error(
            request,
            "Another request made a token for you at the same moment, and that one is kept. Its key was shown "
            "only where it was asked for: if you do not have it, replace it with a new token.",
        )
        return render(
            request,
            "commissioning/tokens.html",
            {
                "token": Token.objects.filter(user=user).first(),
                "breadcrumbs": _breadcrumbs(),
                "docs_url": reverse("api-docs"),
            },
            status=409,
        )
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
    deleted, _ = Token.objects.filter(user=_signed_in(request)).delete()
    if deleted:
        messages.success(request, "Your API token has been revoked. Clients using it can no longer connect.")
    return redirect("tokens")
