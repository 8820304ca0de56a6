"""Enrolling, checking and removing an administrator's authenticator app, and its single-use backup codes.

Administrators who sign in with a password must have a second factor: the first sign-in without one goes
straight to setting it up (commissioning.middleware.SecondFactorMiddleware). A single sign-on session whose
identity provider vouched for its own second factor (``session["sso_mfa"] is True``) counts as verified.
"""

import base64
import binascii
import hashlib
import secrets
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from commissioning import roles
from commissioning.middleware import ENROLMENT_SESSION_KEY, SECOND_FACTOR_SESSION_KEY
from commissioning.models import BackupCode, User

DEVICE_NAME = "Authenticator app"
# A code is accepted from the 30 seconds before or after the current one, for clocks a little out.
TOLERANCE_STEPS = 1


class CodeNotAccepted(Exception):
    """The code was wrong, already used, or too many wrong codes were tried just now."""


# Backup codes: 16 characters from 31 that cannot be misread (no 0/o, 1/l/i), about 79 random bits, so a plain
# SHA-256 of each is enough to keep them safe in the database.
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BACKUP_CODE_LENGTH = 16


def may_enrol(user: User) -> bool:
    """Only administrators (who reach the admin site) may add a second factor."""
    return user.is_authenticated and (user.is_staff or user.has_role(roles.ADMINISTRATOR))


def must_have_second_factor(user) -> bool:
    """Superusers and the administrator role: their password alone never opens the service (unless
    SECOND_FACTOR_REQUIRED_FOR_ADMINISTRATORS is off, which only a trial of the demo on one's own machine should do)."""
    return bool(
        settings.SECOND_FACTOR_REQUIRED_FOR_ADMINISTRATORS
        and user.is_authenticated
        and isinstance(user, User)
        and user.has_role(roles.ADMINISTRATOR)
    )


def has_second_factor(user) -> bool:
    """Whether this person has a confirmed authenticator app (what their API tokens need to write)."""
    return isinstance(user, User) and user_has_device(user, confirmed=True)


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
    """Check the code (from the app, or a backup code) for this sign-in; on success the session counts as
    verified. Wrong codes of either kind slow down further tries alike."""
    user = request.user
    device = confirmed_device(user) if isinstance(user, User) else None
    if device is None:
        raise CodeNotAccepted("You have no authenticator app set up.")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise CodeNotAccepted("Too many wrong codes. Wait a minute, then enter the newest code from your app.")
    if looks_like_backup_code(code):
        assert isinstance(user, User)
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            accepted = use_backup_code(user=user, code=code)
            if accepted:
                device.throttle_reset()
            else:
                device.throttle_increment()
        if not accepted:
            raise CodeNotAccepted("That backup code is not right, or it has been used already.")
        mark_verified(request=request, device=device)
        return device
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
    request.session.pop(ENROLMENT_SESSION_KEY, None)


@transaction.atomic
def remove(*, user: User) -> None:
    """Stop asking this user for a code (an administrator is then asked to set up a new app); the backup codes
    go with the app."""
    TOTPDevice.objects.filter(user=user).delete()
    BackupCode.objects.filter(user=user).delete()


def _normalise_backup_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch not in " -\t")


def looks_like_backup_code(code: str) -> bool:
    text = _normalise_backup_code(code)
    return len(text) == BACKUP_CODE_LENGTH and all(ch in BACKUP_CODE_ALPHABET for ch in text)


def _hash_backup_code(code: str) -> str:
    return hashlib.sha256(_normalise_backup_code(code).encode()).hexdigest()


@transaction.atomic
def new_backup_codes(*, user: User) -> list[str]:
    """Replace this person's backup codes with BACKUP_CODE_COUNT new ones, returned once to show; only their
    hashes are kept. Only someone with an authenticator app has backup codes."""
    if confirmed_device(user) is None:
        raise PermissionError("Set up an authenticator app before making backup codes.")
    codes = [
        "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        for _ in range(settings.BACKUP_CODE_COUNT)
    ]
    BackupCode.objects.filter(user=user).delete()
    now = timezone.now()
    BackupCode.objects.bulk_create(BackupCode(user=user, code_hash=_hash_backup_code(c), created_at=now) for c in codes)
    return ["-".join(c[i : i + 4] for i in range(0, BACKUP_CODE_LENGTH, 4)) for c in codes]


def unused_backup_codes(user: User) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


def use_backup_code(*, user: User, code: str) -> bool:
    """Spend one backup code. One conditional UPDATE, so two sign-ins racing with the same code cannot both
    succeed."""
    if not looks_like_backup_code(code):
        return False
    spent = BackupCode.objects.filter(user=user, code_hash=_hash_backup_code(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return spent == 1


def signed_in_with_password(request: HttpRequest, user) -> bool:
    """A sign-in form posted a password (the sign-in page, the admin's): single sign-on's callback is a GET,
    and its backend is its own."""
    backend_path = getattr(user, "backend", None) or ""
    try:
        backend = import_string(backend_path) if backend_path else None
    except ImportError:
        return False
    is_password_backend = backend is not None and issubclass(backend, ModelBackend)
    return request.method == "POST" and is_password_backend and "oidc" not in backend_path.lower()


def remember_second_factor_at_login(sender, request, user, **kwargs) -> None:
    """At each sign-in note in the session whether a code is needed (or, for an administrator signing in with
    a password and no app yet, that one must be set up), so later requests need no query."""
    if request is None or not hasattr(request, "session"):
        return
    if user_has_device(user, confirmed=True):
        request.session[SECOND_FACTOR_SESSION_KEY] = True
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        return
    request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
    if must_have_second_factor(user) and signed_in_with_password(request, user):
        request.session[ENROLMENT_SESSION_KEY] = True
    else:
        request.session.pop(ENROLMENT_SESSION_KEY, None)
