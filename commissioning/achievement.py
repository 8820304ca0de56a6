"""The achievement rule: whether a figure met its target, in the direction that counts as better.

One rule for every figure the council sets a target for: a strategy's performance measures today, a
contract's KPIs later. It knows nothing of either; callers pass the value, the target, the polarity and, if
the figure is allowed one, a tolerance.

- **No value** (the data has not arrived): awaiting data, whatever the target.
- **No target**, or a figure that is measured only (``is_targeted=False``): measured only.
- **Higher is better**: achieved when the value is at least the target; **lower is better**: when it is at
  most the target. Equal counts as achieved.
- A **tolerance** (same unit as the value, 0 or more) widens the target in the figure's favour: a KPI of
  "95%, tolerance 2" is achieved at 93% and not at 92.9%.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Polarity(models.TextChoices):
    """Which direction is better for a figure."""

    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"


class Achievement(models.TextChoices):
    """What the rule concludes about one figure for one period."""

    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    MEASURED_ONLY = "measured_only", "Measured only"
    AWAITING_DATA = "awaiting_data", "Awaiting data"


def achievement(
    *,
    value: Decimal | None,
    target: Decimal | None,
    polarity: str,
    is_targeted: bool = True,
    tolerance: Decimal | None = None,
) -> Achievement:
    """Achieved, not achieved, measured only or awaiting data (see the module's rules).

    Raises ValueError for a polarity that is not one of ``Polarity`` or a negative tolerance: both are
    programming errors, never a figure's state.
    """
    if polarity not in Polarity.values:
        raise ValueError(f"Polarity must be one of {', '.join(Polarity.values)}, not {polarity!r}.")
    if tolerance is not None and tolerance < 0:
        raise ValueError(f"A tolerance is 0 or more, not {tolerance}.")
    if value is None:
        return Achievement.AWAITING_DATA
    if not is_targeted or target is None:
        return Achievement.MEASURED_ONLY
    margin = tolerance or Decimal(0)
    met = value <= target + margin if polarity == Polarity.LOWER_IS_BETTER else value >= target - margin
    return Achievement.ACHIEVED if met else Achievement.NOT_ACHIEVED
