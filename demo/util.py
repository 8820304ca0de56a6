"""Idempotent writes for the core's directorates and users, which no service writes (``demo.people``): create
once, then change only what differs. Domain records go through their services (``demo.seed``).

Saving an unchanged row would still add a history row, so a second run would not be a no-op.
"""

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def upsert(model: type[M], lookup: dict, values: dict) -> M:
    """Create the row matching ``lookup`` with ``values``, or update only the fields that differ."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj
