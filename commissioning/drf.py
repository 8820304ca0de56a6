"""REST framework classes named in settings. Kept apart from api.py, which imports
rest_framework.views: that import reads these settings, so it must not be a cycle (and so models are imported
inside the methods, not here)."""

from __future__ import annotations

import logging
import math
import time
import uuid
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions, pagination, permissions, status, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header

logger = logging.getLogger(__name__)


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) with a key made on the API tokens page.

    An expired or revoked key is a 401 saying so. A read-only token is refused (403, naming its scope) on any
    method that changes something, and so is every token of an administrator who has no authenticator app:
    a key alone must not do what their password alone may not.
    """

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Token <your token>.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        from commissioning import tokens
        from commissioning.otp.services import has_second_factor, must_have_second_factor

        try:
            token = tokens.token_for_key(key)
        except tokens.TokenRefused as refusal:
            raise exceptions.AuthenticationFailed(str(refusal)) from None
        if request.method not in permissions.SAFE_METHODS:
            if not token.allows_writes:
                raise exceptions.PermissionDenied(
                    f'This token\'s scope is "{token.get_scope_display()}": it cannot change anything. '
                    'Make a token with the scope "Read and write" to do that.'
                )
            if must_have_second_factor(token.user) and not has_second_factor(token.user):
                raise exceptions.PermissionDenied(
                    "An administrator's token can change things only once its owner has set up an "
                    "authenticator app (Sign-in security). Until then it can only read."
                )
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


class RoleModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions from the user's role groups, including view rights for reads."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


# A sliding window, exact: the timestamps of the calls in the last window are kept in a sorted set, and one
# script (atomic in Redis) drops the old ones, counts and adds this call only if under the limit. Redis's own
# clock is used, so several web hosts agree.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""


@lru_cache(maxsize=4)
def _redis_script(url: str):
    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return client, client.register_script(_SLIDING_WINDOW)


def reset_throttles() -> None:
    """Forget every count (tests; or after changing the rates). Removes only this app's keys."""
    cache.clear()
    url = settings.API_THROTTLE_REDIS_URL
    if url:
        client, _ = _redis_script(url)
        keys = list(client.scan_iter(match=f"{settings.API_THROTTLE_KEY_PREFIX}:*", count=500))
        if keys:
            client.delete(*keys)


class ApiRateThrottle(throttling.SimpleRateThrottle):
    """Limits every signed-in API client: a token by the token (rate "token"), a browser session by the person
    (rate "session"). Not signed in: no limit here (the API answers 401; sign-in has its own lockout).

    With Redis (API_THROTTLE_REDIS_URL) the count is atomic across every web process and host, so parallel
    requests cannot slip past the limit. Without Redis the Django cache counts in fixed windows with ``add`` and
    ``incr`` (atomic in the local-memory cache, but per process: the embedded default runs one).
    If Redis cannot be reached, the call is let through and the failure logged: an outage of the counter must not
    take the API down with it.
    """

    def __init__(self):
        # The scope depends on the request, so the rate is read in allow_request rather than here.
        self._wait: float | None = None

    def scope_and_ident(self, request) -> tuple[str, str] | None:
        if isinstance(request.successful_authenticator, ApiTokenAuthentication):
            # The token's prefix, not its id: never reused, so counts cannot carry over to another token.
            return "token", f"token:{request.auth.prefix}"
        if request.user and request.user.is_authenticated:
            return "session", f"user:{request.user.pk}"
        return None

    def allow_request(self, request, view):
        found = self.scope_and_ident(request)
        if found is None:
            return True
        scope, ident = found
        rate = self.THROTTLE_RATES.get(scope)
        if not rate:
            return True
        limit, duration = self.parse_rate(rate)
        key = f"{settings.API_THROTTLE_KEY_PREFIX}:{scope}:{ident}"
        url = settings.API_THROTTLE_REDIS_URL
        if url:
            try:
                _, script = _redis_script(url)
                allowed, wait_ms = script(keys=[key], args=[int(duration * 1000), limit, uuid.uuid4().hex])
            except redis.RedisError:  # Redis down or slow: let the call through, say so in the log
                logger.exception("API throttle: Redis unreachable, request not counted")
                return True
            self._wait = max(int(wait_ms), 1) / 1000
            return bool(allowed)
        return self._allow_in_cache(key, limit, duration)

    def _allow_in_cache(self, key: str, limit: int, duration: int) -> bool:
        now = time.time()
        window = int(now // duration)
        window_key = f"{key}:{window}"
        cache.add(window_key, 0, timeout=duration + 1)
        try:
            count = cache.incr(window_key)
        except ValueError:  # expired between add and incr
            cache.add(window_key, 1, timeout=duration + 1)
            count = 1
        self._wait = (window + 1) * duration - now
        return count <= limit

    def wait(self):
        return None if self._wait is None else math.ceil(self._wait)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The version you sent is not the current one."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        'Send If-Match with the ETag you read, or the "version" field, so that a newer version is not overwritten.'
    )
    default_code = "precondition_required"
