"""May this user change this strategy's measures or enter its results? Asked of the core
(``commissioning.permissions``) with the record that would be written, so its directorate decides.

Measures and results belong to their strategy's directorate (``Measure.owning_directorate_id``). The core's
rule binds everyone tied to a directorate, whatever their role, unless the role is council-wide: a
commissioner of Adult Care changes only Adult Care's measures and results, and so does a contract officer
tied to Adult Care; administrators and staff with no directorate act for the whole council.

Pages use these to refuse before showing a form and to offer only the buttons that work; the services ask
the core again for each record they write.
"""

from __future__ import annotations

from typing import Any

from commissioning import permissions

from .models import Measure, MeasureResult

ADD_MEASURE = "performance.add_measure"
CHANGE_MEASURE = "performance.change_measure"
ADD_RESULT = "performance.add_measureresult"
CHANGE_RESULT = "performance.change_measureresult"


def may_add_measure(user: Any, strategy: Any) -> bool:
    return permissions.may(user, ADD_MEASURE, Measure(strategy=strategy))


def may_change_measure(user: Any, measure: Measure) -> bool:
    return permissions.may(user, CHANGE_MEASURE, measure)


def may_enter_results(user: Any, strategy: Any) -> bool:
    """Whether the user may enter (and correct) this strategy's quarterly results."""
    return permissions.may(user, CHANGE_RESULT, MeasureResult(measure=Measure(strategy=strategy)))
