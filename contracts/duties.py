"""Which Procurement Act 2023 duties a contract carries, and why: the one rule every page, API and task asks.

- **Key performance indicators** (section 52): at least three KPIs for a public contract procured under the Act
  with an estimated value over £5 million, unless it is a framework agreement itself, a concession contract or
  a light-touch contract, or KPIs could not fairly measure the supplier's performance (which must be recorded).
- **Assessment** (section 71(2)): where KPIs were set under section 52, the supplier is assessed against them at
  least once every 12 months and on termination, and each assessment published in a contract performance
  notice (UK9, regulation 39 of the Procurement Regulations 2024).
- **Breach notice** (section 71(5)): a breach leading to termination, damages or a settlement, or a failure to
  improve after notice, is published within 30 days; a breach ending in termination of the whole contract goes
  in the termination notice instead.
- **Change notice** (UK10, sections 74 and 75): a modification above the thresholds (10 % of value, 15 % for
  works, 10 % of term), except for a light-touch contract.
- **Termination notice** (UK11, section 80).

Contracts procured before 24 February 2025 (Public Contracts Regulations 2015), under the Provider Selection
Regime, below threshold or as grants carry none of these; light-touch contracts are under the Act but carry
none of these either.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Q

if TYPE_CHECKING:
    from .models import Contract

KPI_VALUE_THRESHOLD = Decimal("5000000")
MINIMUM_KPIS = 3
ASSESSMENT_INTERVAL_MONTHS = 12
BREACH_NOTICE_DAYS = 30
CHANGE_VALUE_THRESHOLD = Decimal("0.10")
CHANGE_VALUE_THRESHOLD_WORKS = Decimal("0.15")
CHANGE_TERM_THRESHOLD = Decimal("0.10")

_REGIME_REASONS = {
    "pcr2015": "It was procured under the Public Contracts Regulations 2015, before the Procurement Act 2023 "
    "applied (24 February 2025).",
    "psr2023": "It was awarded under the Provider Selection Regime 2023, not the Procurement Act 2023.",
    "below_threshold": "It is a below-threshold contract.",
    "grant": "It is a grant, not a procurement.",
    "light_touch": "It is a light-touch contract, to which these duties do not apply.",
}


@dataclass(frozen=True)
class Duty:
    """Whether one duty applies, and the sentence that says why (shown on the contract page)."""

    applies: bool
    reason: str


@dataclass(frozen=True)
class ContractDuties:
    kpis: Duty
    assessment: Duty
    performance_notice: Duty
    breach_notice: Duty
    change_notice: Duty
    termination_notice: Duty

    @property
    def any(self) -> bool:
        return any(duty.applies for duty in self.as_list())

    def as_list(self) -> list[Duty]:
        return [
            self.kpis,
            self.assessment,
            self.performance_notice,
            self.breach_notice,
            self.change_notice,
            self.termination_notice,
        ]

    def labelled(self) -> list[tuple[str, Duty]]:
        """Each duty with its name, in the order the contract page lists them."""
        return list(
            zip(
                (
                    "Key performance indicators (section 52)",
                    "Assessment every 12 months and on termination (section 71)",
                    "Contract performance notice (UK9)",
                    "Breach or failure-to-improve notice within 30 days (section 71(5))",
                    "Change notice above the thresholds (UK10)",
                    "Contract termination notice (UK11)",
                ),
                self.as_list(),
                strict=True,
            )
        )


def _kpi_duty(contract: Contract) -> Duty:
    from .models import Contract

    if contract.regime != Contract.Regime.PROCUREMENT_ACT_2023:
        return Duty(False, _REGIME_REASONS.get(contract.regime, "It is not under the Procurement Act 2023."))
    if contract.contract_type == Contract.ContractType.FRAMEWORK:
        return Duty(False, "It is a framework agreement: KPIs are set on the contracts called off under it.")
    if contract.is_concession:
        return Duty(False, "It is a concession contract.")
    if contract.estimated_value <= KPI_VALUE_THRESHOLD:
        return Duty(False, f"Its estimated value (£{contract.estimated_value:,.0f}) is not over £5 million.")
    if contract.kpi_exemption_reason.strip():
        return Duty(False, "KPIs could not fairly measure the supplier's performance (the reason is recorded).")
    return Duty(
        True,
        f"It is a public contract under the Procurement Act 2023 with an estimated value of "
        f"£{contract.estimated_value:,.0f}, over £5 million: at least three KPIs must be set.",
    )


def duties_for(contract: Contract) -> ContractDuties:
    """The Procurement Act 2023 duties ``contract`` carries, each with why it does or does not apply."""
    from .models import Contract

    kpis = _kpi_duty(contract)
    under_act = contract.regime == Contract.Regime.PROCUREMENT_ACT_2023
    not_under_act = Duty(False, _REGIME_REASONS.get(contract.regime, "It is not under the Procurement Act 2023."))
    if kpis.applies:
        assessment = Duty(
            True, "KPIs were set under section 52: assess them at least every 12 months and on termination."
        )
        notice = Duty(True, "Each assessment is published in a contract performance notice within 30 days.")
    else:
        assessment = notice = Duty(False, kpis.reason)
    if under_act:
        breach = Duty(True, "It is a public contract under the Procurement Act 2023.")
        threshold = "15 %" if contract.supply_type == Contract.Supply.WORKS else "10 %"
        change = Duty(
            True, f"A modification above {threshold} of its value, or 10 % of its term, needs a change notice."
        )
        termination = Duty(True, "It is a public contract under the Procurement Act 2023.")
    else:
        breach = change = termination = not_under_act
    return ContractDuties(
        kpis=kpis,
        assessment=assessment,
        performance_notice=notice,
        breach_notice=breach,
        change_notice=change,
        termination_notice=termination,
    )


def kpi_duty_q(prefix: str = "") -> Q:
    """The contracts the KPI duty (and so the assessment and UK9 duties) applies to, as a filter; ``prefix``
    reaches them through a relation (``"contract__"``). Must agree with ``duties_for``: tests check both."""
    from .models import Contract

    return Q(
        **{
            f"{prefix}regime": Contract.Regime.PROCUREMENT_ACT_2023,
            f"{prefix}is_concession": False,
            f"{prefix}estimated_value__gt": KPI_VALUE_THRESHOLD,
            f"{prefix}kpi_exemption_reason": "",
        }
    ) & ~Q(**{f"{prefix}contract_type": Contract.ContractType.FRAMEWORK})


def change_notice_duty(*, contract: Contract, value_change: Decimal, extension_months: int | None) -> Duty:
    """Whether a modification of ``contract`` needs a change notice (UK10): only under the Act, never for a
    light-touch contract, and only above the section 75 thresholds (value change over 10 %, 15 % for works, of
    the estimated value; or a term extension over 10 % of the term)."""
    from .models import Contract

    if contract.regime != Contract.Regime.PROCUREMENT_ACT_2023:
        return Duty(False, _REGIME_REASONS.get(contract.regime, "It is not under the Procurement Act 2023."))
    base = contract.estimated_value or contract.total_value
    limit = CHANGE_VALUE_THRESHOLD_WORKS if contract.supply_type == Contract.Supply.WORKS else CHANGE_VALUE_THRESHOLD
    if base > 0 and abs(value_change) > base * limit:
        return Duty(
            True,
            f"The value change (£{abs(value_change):,.0f}) is over {limit:.0%} of the contract's value (£{base:,.0f}).",
        )
    if extension_months:
        term_months = _months(contract)
        if term_months and Decimal(extension_months) > Decimal(term_months) * CHANGE_TERM_THRESHOLD:
            return Duty(
                True, f"The extension ({extension_months} months) is over 10 % of the term ({term_months} months)."
            )
    return Duty(False, "It is below the section 75 thresholds (10 % of value, 15 % for works, 10 % of term).")


def _months(contract: Contract) -> int:
    span = relativedelta(contract.end_date, contract.start_date)
    return span.years * 12 + span.months
