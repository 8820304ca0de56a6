"""Single sign-on with OpenID Connect (Microsoft Entra ID or any standard provider).

The flow is mozilla-django-oidc's (authorization code with PKCE, state and nonce, kept in the session); this
module adds what it leaves to the project:

- the provider's endpoints come from its discovery document, so one issuer URL configures everything;
- the ID token is checked in full: signature against the provider's published keys, issuer, audience (and
  ``azp``), expiry and nonce (mozilla-django-oidc itself does not check the audience);
- the user is created or updated from the token's claims and linked to the directory account (issuer and
  subject), and their role groups and directorate come from the directory groups (or app roles) through
  ``DirectoryGroupMapping``, which an administrator keeps in the admin;
- local passwords can be switched off for everyone but the break-glass administrators.

Nothing here runs until ``OIDC_ISSUER`` (or ``OIDC_DISCOVERY_URL``) and ``OIDC_CLIENT_ID`` are set.
"""

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import roles
from .models import Directorate, DirectoryGroupMapping, SsoIdentity, User

logger = logging.getLogger(__name__)

# Read by the second-factor check (commissioning.otp): True when the provider says the user passed MFA.
SESSION_MFA_KEY = "sso_mfa"
# The ID token, kept for the provider's log-out (id_token_hint) only.
SESSION_ID_TOKEN_KEY = "sso_id_token"  # noqa: S105 (a session key, not a secret)

_DISCOVERY_SECONDS = 3600


class SsoRefused(Exception):
    """Single sign-on did not sign this person in. ``message`` is shown to them; ``reason`` is logged."""

    def __init__(self, message: str, *, reason: str, status: int = 403):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status


def sso_configured() -> bool:
    """Whether single sign-on is switched on (an issuer or discovery URL and a client ID are set)."""
    return bool((settings.OIDC_ISSUER or settings.OIDC_DISCOVERY_URL) and settings.OIDC_RP_CLIENT_ID)


def _discovery_url() -> str:
    return settings.OIDC_DISCOVERY_URL or settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"


_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _fetch_json(url: str, *, what: str, refresh: bool = False) -> dict[str, Any]:
    # Kept in the process for an hour: the discovery document and the keys change rarely, and a key we do not
    # know yet (the provider rolled its keys) makes verify_id_token ask again once.
    cached = _cache.get(url)
    if cached and not refresh and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("Single sign-on: could not read the %s at %s: %s", what, url, error)
        raise SsoRefused(
            "The council's sign-in service could not be reached. Try again in a few minutes, or tell IT if it "
            "keeps happening.",
            reason=f"{what} unavailable",
            status=503,
        ) from error
    _cache[url] = (time.monotonic() + _DISCOVERY_SECONDS, document)
    return document


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document (its endpoints and keys' address), checked to be the configured
    issuer's."""
    metadata = _fetch_json(_discovery_url(), what="discovery document")
    if settings.OIDC_ISSUER and metadata.get("issuer") != settings.OIDC_ISSUER:
        raise SsoRefused(
            "The council's sign-in service is not set up correctly (its issuer does not match OIDC_ISSUER).",
            reason=f"discovery issuer {metadata.get('issuer')!r} is not OIDC_ISSUER",
            status=503,
        )
    return metadata


def expected_issuer() -> str:
    return settings.OIDC_ISSUER or provider_metadata()["issuer"]


def _signing_key(id_token: str, metadata: Mapping[str, Any]) -> jwt.PyJWK:
    kid = jwt.get_unverified_header(id_token).get("kid")
    for refresh in (False, True):
        keys = jwt.PyJWKSet.from_dict(_fetch_json(metadata["jwks_uri"], what="signing keys", refresh=refresh))
        for key in keys.keys:
            if kid is None or key.key_id == kid:
                return key
    raise SsoRefused(_NOT_TRUSTED, reason=f"no published key {kid!r}")


_NOT_TRUSTED = "The sign-in could not be trusted, so you have not been signed in. Start again from the sign-in page."


def verify_id_token(id_token: str, *, nonce: str | None) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's published key), issuer, audience, expiry and
    nonce have all been checked; anything else is refused."""
    metadata = provider_metadata()
    try:
        algorithm = str(jwt.get_unverified_header(id_token).get("alg"))
    except jwt.InvalidTokenError as error:
        raise SsoRefused(_NOT_TRUSTED, reason=f"unreadable ID token: {error}") from error
    if algorithm not in settings.OIDC_SIGN_ALGORITHMS:
        raise SsoRefused(_NOT_TRUSTED, reason=f"ID token signed with {algorithm!r}")
    try:
        claims = jwt.decode(
            id_token,
            _signing_key(id_token, metadata),
            algorithms=[algorithm],
            audience=settings.OIDC_RP_CLIENT_ID,
            issuer=expected_issuer(),
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise SsoRefused(
            "Your sign-in had expired before it reached us. Start again from the sign-in page.",
            reason="expired ID token",
        ) from error
    except jwt.InvalidAudienceError as error:
        raise SsoRefused(_NOT_TRUSTED, reason="ID token for another audience") from error
    except jwt.InvalidTokenError as error:
        raise SsoRefused(_NOT_TRUSTED, reason=f"invalid ID token: {error}") from error
    # With several audiences the token must name us as the party it was issued to (OIDC Core 3.1.3.7).
    if claims.get("azp", settings.OIDC_RP_CLIENT_ID) != settings.OIDC_RP_CLIENT_ID:
        raise SsoRefused(_NOT_TRUSTED, reason="ID token authorised for another party")
    if settings.OIDC_USE_NONCE and claims.get("nonce") != nonce:
        raise SsoRefused(_NOT_TRUSTED, reason="nonce mismatch")
    return claims


def _claim_values(claims: Mapping[str, Any], name: str) -> set[str]:
    if not name:
        return set()
    value = claims.get(name)
    if value is None or value == "":
        return set()
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return {str(value)}


def mfa_from_claims(claims: Mapping[str, Any]) -> bool:
    """Whether the provider says this sign-in passed multi-factor authentication: the configured claim
    (``amr`` by default) holds one of the configured values ("mfa"), or is simply true."""
    value = claims.get(settings.OIDC_MFA_CLAIM)
    if value is True:
        return True
    return bool(_claim_values(claims, settings.OIDC_MFA_CLAIM) & set(settings.OIDC_MFA_VALUES))


@dataclass(frozen=True)
class DirectoryAccess:
    roles: frozenset[str]
    directorate: Directorate | None


_OVERAGE_FIX = (
    "You are in more directory groups than Microsoft Entra ID can list in a sign-in, and no app role gives you "
    "access. Ask IT to assign you an app role for this service in Entra ID (Enterprise applications, Users and "
    "groups), or to send only the groups assigned to the application in the groups claim."
)


def directory_access(claims: Mapping[str, Any]) -> DirectoryAccess:
    """The roles and directorate the directory gives: each group (object ID, as Entra ID sends them) or app
    role the token carries is looked up in ``DirectoryGroupMapping``. No mapped role: refused. Entra ID's group
    overage (``_claim_names`` naming the groups claim instead of listing it) falls back to the app roles."""
    groups_claim = settings.OIDC_GROUPS_CLAIM
    groups = _claim_values(claims, groups_claim)
    app_roles = _claim_values(claims, settings.OIDC_ROLES_CLAIM)
    overage = groups_claim in (claims.get("_claim_names") or {}) and not groups
    mappings = list(
        DirectoryGroupMapping.objects.filter(claim_value__in=groups | app_roles).select_related("directorate")
    )
    role_names = frozenset(mapping.role for mapping in mappings if mapping.role)
    if not role_names:
        if overage:
            raise SsoRefused(_OVERAGE_FIX, reason="group overage and no mapped app role")
        raise SsoRefused(
            "Your council account is not in a directory group that gives access to this service. Ask your "
            "manager or IT to add you to the right group; an administrator maps groups to roles here.",
            reason=f"no mapped role for groups {sorted(groups)} and app roles {sorted(app_roles)}",
        )
    return DirectoryAccess(roles=role_names, directorate=_directorate(claims, mappings))


def _directorate(claims: Mapping[str, Any], mappings: list[DirectoryGroupMapping]) -> Directorate | None:
    # A directorate claim, when configured and sent, names the directorate (by code or name, or through a
    # mapping row); otherwise the mapped groups do. None is council-wide, as for a user made by hand.
    claim = settings.OIDC_DIRECTORATE_CLAIM
    value = claims.get(claim) if claim else None
    if value:
        value = str(value)
        found = (
            Directorate.objects.filter(Q(code__iexact=value) | Q(name__iexact=value)).first()
            or Directorate.objects.filter(directory_groups__claim_value=value).first()
        )
        if found is None:
            raise SsoRefused(
                f"Your directory account names the directorate “{value}”, which this service does not know. "
                "Ask an administrator to add it or map it.",
                reason=f"unknown directorate {value!r}",
            )
        return found
    directorates = {mapping.directorate for mapping in mappings if mapping.directorate}
    if len(directorates) > 1:
        raise SsoRefused(
            "Your directory groups place you in more than one directorate. Ask IT to keep you in one "
            "directorate's group.",
            reason=f"several directorates {sorted(str(d) for d in directorates)}",
        )
    return directorates.pop() if directorates else None


def _new_username(claims: Mapping[str, Any]) -> str:
    base = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or claims["sub"])[:140]
    username, suffix = base, 1
    while User.objects.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{base}-{suffix}"
    return username


@transaction.atomic
def sso_sign_in(*, claims: Mapping[str, Any]) -> User:
    """The user a checked ID token signs in: found by their directory account (issuer and subject), else by
    e-mail (once, when ``OIDC_LINK_BY_EMAIL``; never a superuser or break-glass account), else created without
    a password. Name and e-mail are updated from the claims, the role groups replaced by the mapped ones and
    the directorate set, at every sign-in."""
    access = directory_access(claims)
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    email = str(claims.get("email") or "")
    identity = (
        SsoIdentity.objects.select_for_update().select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity:
        user = identity.user
    else:
        # Linking by e-mail is off by default: a directory's e-mail claim is not always verified (Entra ID's can
        # be edited), so it never links to a superuser or a break-glass account.
        candidates = User.objects.filter(email__iexact=email, is_superuser=False).exclude(
            username__in=settings.BREAK_GLASS_USERNAMES
        )
        matches = list(candidates[:2]) if email and settings.OIDC_LINK_BY_EMAIL else []
        if len(matches) > 1:
            raise SsoRefused(
                "More than one account here has your e-mail address. Ask an administrator to remove the spare one.",
                reason=f"several users with e-mail {email}",
            )
        if matches:
            user = matches[0]
        else:
            user = get_user_model().objects.create_user(_new_username(claims), email=email)
            user.set_unusable_password()
        identity = SsoIdentity(user=user, issuer=issuer, subject=subject)
    if not user.is_active:
        raise SsoRefused("Your account here has been switched off. Ask an administrator.", reason="inactive user")

    user.first_name = str(claims.get("given_name") or user.first_name)[:150]
    user.last_name = str(claims.get("family_name") or user.last_name)[:150]
    if not claims.get("given_name") and not claims.get("family_name") and claims.get("name"):
        first, _, last = str(claims["name"]).partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
    user.email = email or user.email
    user.directorate = access.directorate
    user.save()
    # The directory decides the roles: groups of other roles go, the mapped ones come (other groups stay).
    user.groups.remove(*Group.objects.filter(name__in=set(roles.ALL_ROLES) - access.roles))
    user.groups.add(*Group.objects.filter(name__in=access.roles))
    identity.last_signed_in_at = timezone.now()
    identity.save()
    logger.info("Single sign-on: %s signed in with roles %s", user.username, sorted(access.roles))
    return user


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code exchange, with the provider found by discovery, the ID token checked by
    ``verify_id_token`` and the user made by ``sso_sign_in``. Does nothing for password sign-in."""

    def __init__(self, *args, **kwargs):
        # Settings are read at sign-in (and the endpoints discovered), not here: Django builds every backend
        # for every sign-in, including password ones when single sign-on is not configured.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not sso_configured():
            return None
        metadata = provider_metadata()
        self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            logger.warning("Single sign-on: the code exchange failed: %s", error)
            raise SsoRefused(
                "The council's sign-in service did not confirm your sign-in. Start again from the sign-in page.",
                reason=f"code exchange failed: {error}",
            ) from error

    def get_user(self, user_id):
        # Django's check, which mozilla-django-oidc's own get_user skips: a switched-off user's session ends.
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        return verify_id_token(token, nonce=kwargs.get("nonce"))

    def store_tokens(self, access_token, id_token):
        # Kept on the request: the callback view puts it in the session after log-in (which may renew it).
        self.request.sso_id_token = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        # The signed ID token is the source of the claims (Entra ID sends groups there, not from userinfo).
        user = sso_sign_in(claims=payload)
        self.request.sso_claims = payload
        return user


class LocalPasswordBackend(ModelBackend):
    """Username and password sign-in, unless local passwords are switched off (``LOCAL_PASSWORDS_ENABLED``):
    then only the break-glass administrators (``BREAK_GLASS_USERNAMES``) may use a password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LOCAL_PASSWORDS_ENABLED and not is_break_glass(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def is_break_glass(username: str | None) -> bool:
    """Whether this username may still sign in with a password when local passwords are switched off."""
    return bool(username) and username in settings.BREAK_GLASS_USERNAMES


def context(request) -> dict[str, Any]:
    """For the log-in page: whether to offer single sign-on and whether passwords still work."""
    return {"sso_enabled": sso_configured(), "local_passwords_enabled": settings.LOCAL_PASSWORDS_ENABLED}
