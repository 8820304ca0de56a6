"""Redaction (UK GDPR erasure and rectification): a person's details replaced in a record's text fields and in
its earlier history, the one definition of what matches. Each app's redaction service locks its record and
calls ``redact_fields``; ``records.subject_access`` searches with ``person_pattern``, so the search shows what
the redaction will replace."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from . import permissions, roles
from .models import User

REDACTION_REASON = "Redacted (subject access)"


def person_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``terms`` as whole words ("Ann" does not match "Annual"),
    whitespace inside a term matching any run of whitespace. The one definition of a match: the subject access
    search shows what the redaction will replace."""
    parts = [r"\s+".join(re.escape(word) for word in term.split()) for term in terms if term.strip()]
    if not parts:
        raise ValueError("At least one term is needed.")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def replace_person_details(text: str, *, terms: Sequence[str], replacement: str) -> tuple[str, int]:
    """``text`` with every match of ``terms`` replaced, and how many there were."""
    return person_pattern(terms).subn(lambda _match: replacement, text or "")


def redact_fields(
    *,
    record: models.Model,
    allowed: Sequence[str],
    fields: Sequence[str],
    terms: Sequence[str],
    replacement: str,
    by: User,
    extra_update_fields: Sequence[str] = (),
) -> dict[str, int]:
    """Replace ``terms`` in ``fields`` of ``record`` (already locked by the caller's service), save it with a
    history row naming ``by``, and replace them in the record's earlier history rows too (the history would
    otherwise keep what was erased). Returns the replacements per field, only fields that changed."""
    if not permissions.has_role(by, roles.ADMINISTRATOR):
        raise PermissionDenied("Only administrators (the data protection officer's team) may redact records.")
    unknown = [name for name in fields if name not in allowed]
    if unknown:
        raise ValidationError({"fields": f"{', '.join(unknown)} cannot be redacted on a {record._meta.verbose_name}."})
    counts: dict[str, int] = {}
    for name in fields:
        new_text, count = replace_person_details(getattr(record, name), terms=terms, replacement=replacement)
        if count:
            setattr(record, name, new_text)
            counts[name] = count
    if not counts:
        return counts
    history = getattr(type(record), "history", None)
    if history is not None:
        for row in history.filter(id=record.pk):
            changed = {}
            for name in counts:
                new_text, count = replace_person_details(getattr(row, name), terms=terms, replacement=replacement)
                if count:
                    changed[name] = new_text
            if changed:
                history.filter(pk=row.pk).update(**changed)
    record._history_user = by  # type: ignore[attr-defined]
    record._change_reason = REDACTION_REASON  # type: ignore[attr-defined]
    update_fields = [*counts, *extra_update_fields]
    if any(f.name == "updated_at" for f in record._meta.concrete_fields):
        update_fields.append("updated_at")
    record.save(update_fields=update_fields)
    return counts
