"""Idempotent writes for the seed records: create once, then change only what differs.

Saving an unchanged row would still add a history row, so a second run would not be a no-op.
"""

from django.db import models


def upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Create the row matching ``lookup`` with ``values``, or update only the fields that differ."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj
