"""API keys for tests, made through the real service (commissioning.tokens)."""

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning import tokens
from commissioning.models import ApiToken, User
from commissioning.otp.services import must_have_second_factor


def api_key_for(user: User, *, scope: str = ApiToken.Scope.READ_WRITE, second_factor: bool = True) -> str:
    """A read-and-write key for ``user``. An administrator is given a confirmed authenticator first (unless
    ``second_factor=False``), as their tokens may write only then.

    The token counts as in use already (used just now): its "last used" time is written at most once a minute,
    so the query counts the API tests measure are those of a client calling steadily.
    """
    if second_factor and must_have_second_factor(user) and not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    new = tokens.token_create(user=user, name="Test client", scope=scope)
    ApiToken.objects.filter(pk=new.token.pk).update(last_used_at=timezone.now())
    return new.key
