"""Existing API tokens (Django REST framework's, kept in plain text) become hashed tokens: each keeps working as
a read-and-write token for 90 days, and the plain-text keys are deleted."""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

# Fixed here rather than read from the app, so that the migration means the same whatever the code becomes.
_DAYS = 90
_PREFIX_LENGTH = 8


def hash_existing(apps, schema_editor):
    try:
        Token = apps.get_model("authtoken", "Token")
    except LookupError:  # rest_framework.authtoken no longer installed: nothing to carry over
        return
    ApiToken = apps.get_model("commissioning", "ApiToken")
    now = timezone.now()
    for old in Token.objects.all():
        ApiToken.objects.create(
            user_id=old.user_id,
            name="Token made before tokens expired",
            prefix=old.key[:_PREFIX_LENGTH],
            key_hash=hashlib.sha256(old.key.encode()).hexdigest(),
            scope="read_write",
            created_at=old.created,
            expires_at=now + timedelta(days=_DAYS),
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0006_sso_tokens_backup_codes"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_existing, migrations.RunPython.noop)]
