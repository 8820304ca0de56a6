"""Pages for the second factor: set it up (forced for administrators signing in with a password), type the
code or a backup code after the password, make new backup codes, remove it."""

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from commissioning.middleware import ENROLMENT_SESSION_KEY, SECOND_FACTOR_SESSION_KEY

from . import services
from .forms import CodeForm

ENROL_SECRET_SESSION_KEY = "two_factor_enrol_secret"  # noqa: S105 - a session key name, not a secret


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@require_http_methods(["GET"])
def manage(request):
    if not services.may_enrol(request.user):
        raise PermissionDenied
    device = services.confirmed_device(request.user)
    return render(
        request,
        "commissioning/otp_manage.html",
        {
            "device": device,
            "backup_codes_left": services.unused_backup_codes(request.user) if device else 0,
            "required": services.must_have_second_factor(request.user),
            "breadcrumbs": [("Sign-in security", None)],
        },
    )


def _show_backup_codes(request, codes: list[str], *, next_url: str):
    response = render(
        request,
        "commissioning/otp_backup_codes.html",
        {
            "codes": codes,
            "next": next_url,
            "breadcrumbs": [("Sign-in security", reverse("two_factor:manage")), ("Backup codes", None)],
        },
    )
    # The codes are on this page only.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def enrol(request):
    if not services.may_enrol(request.user):
        raise PermissionDenied
    if services.confirmed_device(request.user) is not None:
        return redirect("two_factor:manage")
    # The secret waits in the session until a code proves the app has it: nothing is saved before then.
    secret = request.session.get(ENROL_SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[ENROL_SECRET_SESSION_KEY] = services.new_secret()
    form = CodeForm(request.POST or None, submit_label="Turn on")
    if request.method == "POST" and form.is_valid():
        try:
            device = services.enrol(user=request.user, secret_hex=secret, code=form.cleaned_data["code"])
        except services.CodeNotAccepted as error:
            form.add_error("code", str(error))
        else:
            del request.session[ENROL_SECRET_SESSION_KEY]
            services.mark_verified(request=request, device=device)
            codes = services.new_backup_codes(user=request.user)
            messages.success(
                request, "Your authenticator app is set up. You will be asked for a code when you sign in."
            )
            return _show_backup_codes(request, codes, next_url=_safe_next(request))
    uri = services.provisioning_uri(user=request.user, secret_hex=secret)
    return render(
        request,
        "commissioning/otp_enrol.html",
        {
            "form": form,
            "otpauth_uri": uri,
            "secret": services.secret_as_base32(secret),
            # An SVG data: image, made here: no external service sees the secret.
            "qr_code": segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c"),
            "required": bool(request.session.get(ENROLMENT_SESSION_KEY)),
            "next": _safe_next(request),
            "breadcrumbs": [("Sign-in security", reverse("two_factor:manage")), ("Set up", None)],
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    next_url = _safe_next(request)
    if services.confirmed_device(request.user) is None:
        request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
        return redirect(next_url)
    if request.user.is_verified():
        return redirect(next_url)
    form = CodeForm(request.POST or None, allow_backup_code=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify(request=request, code=form.cleaned_data["code"])
        except services.CodeNotAccepted as error:
            form.add_error("code", str(error))
        else:
            return redirect(next_url)
    status = 400 if form.errors else 200
    return render(request, "commissioning/otp_verify.html", {"form": form, "next": next_url}, status=status)


@require_POST
def backup_codes(request):
    """Make a new set of backup codes (the old ones stop working) and show them this once."""
    if not services.may_enrol(request.user) or services.confirmed_device(request.user) is None:
        raise PermissionDenied
    codes = services.new_backup_codes(user=request.user)
    return _show_backup_codes(request, codes, next_url=reverse("two_factor:manage"))


@require_POST
def remove(request):
    if not services.may_enrol(request.user):
        raise PermissionDenied
    services.remove(user=request.user)
    request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
    if services.must_have_second_factor(request.user):
        # Administrators cannot go on without one: the next page is setting up a new app.
        request.session[ENROLMENT_SESSION_KEY] = True
        messages.success(request, "Your authenticator app is removed. Set up a new one to carry on.")
    else:
        messages.success(request, "Your authenticator app is removed. Sign-in now asks for your password only.")
    return redirect("two_factor:manage")
