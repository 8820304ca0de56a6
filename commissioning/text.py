"""Text as the records keep it: every line ending is a plain newline.

Browsers send a textarea's line endings as \\r\\n, the API and imports may send either, so the same words could
be stored two ways and an untouched field would show as changed in a record's history. Every model's text is
normalised as it is saved (``normalise_record_text``, connected to ``pre_save`` in ``apps.py``), so pages, the
API, the admin, imports and commands all store it one way; services call ``normalise_newlines`` where they
compare or check text before saving (an empty-after-stripping conclusion, a change note).
"""

from __future__ import annotations

from typing import Any

from django.db import models

# Framework tables whose text is not people's writing (session payloads) are left exactly as they are.
_LEFT_ALONE = {"sessions"}


def normalise_newlines(value: Any) -> Any:
    """Text with every line ending as \\n; anything that is not text as it is."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def normalise_record_text(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save`` receiver: the instance's text fields with their line endings normalised."""
    if sender._meta.app_label in _LEFT_ALONE:
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            normalised = normalise_newlines(value)
            if normalised is not value:
                setattr(instance, field.attname, normalised)
