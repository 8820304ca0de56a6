"""Enrolling, checking and removing an administrator's authenticator app."""

import base64
import binascii
import time

from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from commissioning import roles
from commissioning.middleware import SECOND_FACTOR_SESSION_KEY
from commissioning.models import User

DEVICE_NAME = "Authenticator app"
# A code is accepted from the 30 seconds before or after the current one, for clocks a little out.
TOLERANCE_STEPS = 1


class CodeNotAccepted(Exception):
    """The code was wrong, already used, or too many wrong codes were tried just now."""


def may_enrol(user: User) -> bool:
    """Only administrators (who reach the admin site) may add a second factor."""
    return user.is_authenticated and (user.is_staff or user.has_role(roles.ADMINISTRATOR))


def new_secret() -> str:
    """A fresh 20-byte secret, hex-encoded as django-otp stores it."""
    return random_hex(20)


def secret_as_base32(secret_hex: str) -> str:
    """The secret as authenticator apps ask for it when typed in: base32, in groups of four."""
    text = base64.b32encode(binascii.unhexlify(secret_hex)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(*, user: User, secret_hex: str) -> str:
    """The otpauth:// address an authenticator app reads (from the QR code or pasted)."""
    return TOTPDevice(user=user, key=secret_hex, name=DEVICE_NAME).config_url


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _clean(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def enrol(*, user: User, secret_hex: str, code: str) -> TOTPDevice:
    """Save the authenticator once the administrator proves it works by typing a current code."""
    if not may_enrol(user):
        raise PermissionError("Only administrators can add a second factor.")
    totp = TOTP(binascii.unhexlify(secret_hex))
    totp.time = time.time()
    code = _clean(code)
    if not code.isdigit() or not totp.verify(int(code), tolerance=TOLERANCE_STEPS):
        raise CodeNotAccepted("The code is not right. Check the time on your phone and enter the newest code.")
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, key=secret_hex, confirmed=True, tolerance=TOLERANCE_STEPS, last_t=totp.t()
    )


def verify(*, request: HttpRequest, code: str) -> TOTPDevice:
    """Check the code for this sign-in; on success the session counts as verified."""
    user = request.user
    device = confirmed_device(user) if isinstance(user, User) else None
    if device is None:
        raise CodeNotAccepted("You have no authenticator app set up.")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise CodeNotAccepted("Too many wrong codes. Wait a minute, then enter the newest code from your app.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        accepted = _clean(code).isdigit() and device.verify_token(_clean(code))
    if not accepted:
        raise CodeNotAccepted("The code is not right. Enter the newest 6-digit code from your authenticator app.")
    mark_verified(request=request, device=device)
    return device


def mark_verified(*, request: HttpRequest, device: TOTPDevice) -> None:
    """This session has given the code: pages open until sign-out or the session ends."""
    otp_login(request, device)
    request.session[SECOND_FACTOR_SESSION_KEY] = True


@transaction.atomic
def remove(*, user: User) -> None:
    """Stop asking this user for a code."""
    TOTPDevice.objects.filter(user=user).delete()


def remember_second_factor_at_login(sender, request, user, **kwargs) -> None:
    """At each sign-in note in the session whether a code is needed, so later requests need no query."""
    if request is None or not hasattr(request, "session"):
        return
    if user_has_device(user, confirmed=True):
        request.session[SECOND_FACTOR_SESSION_KEY] = True
    else:
        request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
