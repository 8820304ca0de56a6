"""API tokens: made, listed, checked and revoked here, for the tokens page, the API and the admin alike.

A token's key is ``cm_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored, so a copy of
the database lets no one in; the first characters (the prefix) are kept to tell tokens apart on the page and in
logs. The key is shown once, on the page that made it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import roles
from .models import ApiToken, User

KEY_START = "cm_"
PREFIX_LENGTH = len(KEY_START) + 8
# Writing "last used" on every call would cost a write per request: once a minute is exact enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(Exception):
    """The key is unknown, expired or revoked; the message says which, for the 401 body."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # shown once, never stored


def hash_key(key: str) -> str:
    """The stored form of a key (also what a data migration of older plaintext tokens computes)."""
    return hashlib.sha256(key.encode()).hexdigest()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's tokens for their tokens page, live ones first, then expired and revoked ones."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")


@transaction.atomic
def token_create(*, user: User, name: str, scope: str, expires_in_days: int | None = None) -> NewToken:
    """Make a token for the person asking (people make only their own). Refuses, naming the field, a missing
    name, an unknown scope or an expiry outside 1 day to API_TOKEN_MAX_DAYS."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to make an API token.")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter a name for the token, for example the program that will use it."
    elif len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = "The name must be 100 characters or fewer."
    if scope not in ApiToken.Scope.values:
        errors["scope"] = "Choose read only, or read and write."
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["expires_in_days"] = f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days."
    if errors:
        raise ValidationError(errors)
    key = KEY_START + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return NewToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Stop a token working at once. Its owner or an administrator may; revoking twice changes nothing."""
    if token.user_id != by.pk and not by.has_role(roles.ADMINISTRATOR):
        raise PermissionDenied("You can revoke only your own API tokens.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for_key(key: str) -> ApiToken:
    """The token a client sent, with its user, or TokenRefused saying why it no longer opens the API."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        raise TokenRefused("Invalid token.")
    if token.revoked_at is not None:
        raise TokenRefused(
            f"This API token was revoked on {timezone.localtime(token.revoked_at):%d %B %Y}. "
            "Make a new one on the API tokens page."
        )
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(
            f"This API token expired on {timezone.localtime(token.expires_at):%d %B %Y}. "
            "Make a new one on the API tokens page."
        )
    if not token.user.is_active:
        raise TokenRefused("The account this API token belongs to is switched off.")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE: parallel calls write it once, and no row lock is held.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
