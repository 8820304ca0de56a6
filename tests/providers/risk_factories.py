"""Risk methods for tests: version 1 (the providers migration's "Provider risk matrix"), made if the test
database does not hold it (a --nomigrations run, or after a flush), and answers to its factors."""

from __future__ import annotations

import datetime
from typing import Any

from providers.models import RiskMethod
from providers.risk import MATRIX_2017

V1_CODES: tuple[str, ...] = tuple(factor["code"] for factor in MATRIX_2017["factors"])


def method_v1() -> RiskMethod:
    """Version 1, in force from 1 April 2017: the one the migration records."""
    method = RiskMethod.objects.filter(version=1).first()
    if method is None:
        method = RiskMethod.objects.create(
            version=1,
            name=MATRIX_2017["name"],
            effective_from=datetime.date.fromisoformat(MATRIX_2017["effective_from"]),
            factors=MATRIX_2017["factors"],
            thresholds=MATRIX_2017["thresholds"],
            notes=MATRIX_2017["notes"],
        )
    return method


def v1_answers(default: int = 0, **overrides: int) -> dict[str, int]:
    """An answer (0 to 3) to each of version 1's factors."""
    return {code: overrides.get(code, default) for code in V1_CODES}


def factor(code: str, *, weight: int = 1, scores: tuple[int, ...] = (0, 1, 2, 3), **extra: Any) -> dict[str, Any]:
    """A factor for a method definition, with an answer per score."""
    return {
        "code": code,
        "name": extra.pop("name", code.replace("_", " ").capitalize()),
        "description": extra.pop("description", ""),
        "weight": weight,
        "answers": [{"score": s, "label": f"Answer scoring {s}"} for s in scores],
        **extra,
    }
