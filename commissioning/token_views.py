"""The API tokens page: people make, list and revoke their own tokens for API clients (commissioning.tokens)."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens as token_services
from .forms import add_service_errors
from .models import ApiToken, User


class TokenForm(forms.Form):
    """The shape of a new token; the rules (length of life, scopes) are the service's."""

    name = forms.CharField(
        label="Name",
        help_text="What the token is for, so you can tell your tokens apart, for example “Power BI report”.",
        max_length=100,
        error_messages={"required": "Enter a name for the token, for example the program that will use it."},
    )
    scope = forms.ChoiceField(
        label="What it may do",
        choices=[
            Choice(ApiToken.Scope.READ, "Read only", hint="See what you can see. Any change is refused."),
            Choice(ApiToken.Scope.READ_WRITE, "Read and write", hint="See and change what you can in the browser."),
        ],
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose read only, or read and write.",
            "invalid_choice": "Choose read only, or read and write.",
        },
    )
    expires_in_days = forms.IntegerField(
        label="Days until it stops working",
        error_messages={
            "required": "Enter how many days the token lasts, for example 90.",
            "invalid": "Enter a whole number of days, for example 90.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_in_days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["expires_in_days"].help_text = f"From 1 to {settings.API_TOKEN_MAX_DAYS} days."
        self.helper = FormHelper()
        self.helper.form_action = reverse("token-create")
        self.helper.layout = Layout(
            Field.text("name", label_size=Size.SMALL),
            Field.radios("scope", legend_size=Size.SMALL),
            Field.text("expires_in_days", field_width=3, label_size=Size.SMALL),
            Submit("submit", "Create token"),
        )


def _signed_in(request: HttpRequest) -> User:
    """The person asking: every page needs a sign-in (commissioning.middleware.LoginRequiredMiddleware)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _page(request: HttpRequest, form: TokenForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "commissioning/tokens.html",
        {
            "form": form,
            "tokens": token_services.tokens_of(_signed_in(request)),
            "breadcrumbs": [("API tokens", None)],
            "docs_url": reverse("api-docs"),
        },
        status=status,
    )


@require_http_methods(["GET"])
def tokens(request: HttpRequest) -> HttpResponse:
    """My tokens (name, prefix, scope, made, expires, last used, revoked) and the form to make one."""
    return _page(request, TokenForm())


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a token and show its key this once: the page never shows it again."""
    user = _signed_in(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            created = token_services.token_create(
                user=user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            response = render(
                request,
                "commissioning/tokens_created.html",
                {
                    "token": created.token,
                    "key": created.key,
                    "breadcrumbs": [("API tokens", reverse("tokens")), ("New token", None)],
                },
            )
            # The key is on this page only: do not let a browser or proxy keep a copy.
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, form)


@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    """Revoke one of my tokens (the form's ``token`` field names it); someone else's is not found."""
    user = _signed_in(request)
    token_id = request.POST.get("token", "")
    if not token_id.isdigit():
        messages.error(request, "Choose the token to revoke.")
        return redirect("tokens")
    token = get_object_or_404(token_services.tokens_of(user), pk=int(token_id))
    token_services.token_revoke(token=token, by=user)
    messages.success(request, f"The token “{token.name}” is revoked. Programs using it can no longer connect.")
    return redirect("tokens")
