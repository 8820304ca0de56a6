"""The Local Government Transparency Code 2015, Part 2 "Contracts", as two CSV files:

- ``contracts.csv``: every contract let (live, expired, terminated), one row each: reference, title, department,
  description, the supplier's name and details (address, postcode) with its registration number (Companies
  House or charity), SME and VCSE status, values, VAT that cannot be recovered, dates, and whether it was the
  result of an "invitation to quote" or a "published invitation to tender" (the Code's own choice), with the
  council's fuller route kept in the next column.
- ``invitations-to-tender.csv``: the Code's separate list of every invitation to tender worth more than
  £5,000: contracts still in procurement, with reference, title, description of what is sought, department,
  estimated value, expected start, end and review dates, and the route.

Dates are ISO 8601 and money is in pounds without symbols, so the files load into a spreadsheet as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from contracts.models import Contract

CODE_ROUTE_COLUMN = "Invitation to quote or published invitation to tender"
ROUTE_DETAIL_COLUMN = "Procurement route (detail)"

CSV_COLUMNS = [
    "Reference number",
    "Title of agreement",
    "Department responsible",
    "Description of goods and services",
    "Supplier name",
    "Supplier address",
    "Supplier postcode",
    "Supplier Companies House registration number",
    "Supplier charity registration number",
    "SME",
    "VCSE",
    "Total value of contract (£)",
    "Estimated annual value (£)",
    "VAT that cannot be recovered (£)",
    "Start date",
    "End date",
    "Review date",
    CODE_ROUTE_COLUMN,
    ROUTE_DETAIL_COLUMN,
]

INVITATION_COLUMNS = [
    "Reference number",
    "Title",
    "Description of goods and services sought",
    "Department responsible",
    "Estimated total value (£)",
    "Estimated annual value (£)",
    "Start date",
    "End date",
    "Review date",
    CODE_ROUTE_COLUMN,
    ROUTE_DETAIL_COLUMN,
]

INVITATION_TO_QUOTE = "Invitation to quote"
PUBLISHED_INVITATION_TO_TENDER = "Published invitation to tender"
NEITHER = "Neither (not competed)"

# How the register's free-text route reads, checked in this order (a "single tender action" is a direct
# award, not a tender). Frameworks, dynamic purchasing systems and their call-off rounds were set up by a
# published invitation to tender. A route that matches nothing is left blank rather than guessed.
_DIRECT = re.compile(r"\b(direct award|waiver|single tender|single source|exemption|spot purchas\w*|in-house)\b", re.I)
_QUOTE = re.compile(r"\b(quot\w*|rfq|itq)\b", re.I)
_TENDER = re.compile(
    r"\b(tender\w*|open|restricted|competitive|negotiat\w*|dialogue|innovation partnership|framework|"
    r"dynamic purchasing|dps|call[- ]off|mini[- ]competition|round|light touch|published)\b",
    re.I,
)


def code_route(route: str) -> str:
    """The Transparency Code's choice for a contract's procurement route ('' when the route does not say)."""
    route = (route or "").strip()
    if not route:
        return ""
    if _DIRECT.search(route):
        return NEITHER
    if _QUOTE.search(route):
        return INVITATION_TO_QUOTE
    if _TENDER.search(route):
        return PUBLISHED_INVITATION_TO_TENDER
    return ""


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _address(provider) -> str:
    return ", ".join(line.strip() for line in (provider.address or "").splitlines() if line.strip())


def transparency_rows(contracts: Iterable[Contract]) -> Iterator[list[str]]:
    """One row per contract let, in ``CSV_COLUMNS`` (a contract still in procurement is skipped: it belongs in
    the invitations to tender)."""
    for contract in contracts:
        if contract.status == Contract.Status.PIPELINE:
            continue
        supplier = contract.lead_provider
        yield [
            contract.reference,
            contract.title,
            contract.directorate.name,
            contract.description,
            supplier.name if supplier else contract.provider_summary,
            _address(supplier) if supplier else "",
            supplier.postcode if supplier else "",
            supplier.companies_house_number if supplier else "",
            supplier.charity_number if supplier else "",
            _yes_no(supplier.is_sme) if supplier else "",
            _yes_no(supplier.is_vcse) if supplier else "",
            _money(contract.total_value),
            _money(contract.annual_value),
            _money(contract.vat_not_recoverable),
            contract.start_date.isoformat(),
            contract.end_date.isoformat(),
            contract.review_date.isoformat() if contract.review_date else "",
            code_route(contract.procurement_route),
            contract.procurement_route,
        ]


def invitation_rows(contracts: Iterable[Contract]) -> Iterator[list[str]]:
    """One row per invitation to tender (give it ``selectors.invitations_to_tender``), in ``INVITATION_COLUMNS``."""
    for contract in contracts:
        yield [
            contract.reference,
            contract.title,
            contract.description,
            contract.directorate.name,
            _money(contract.total_value),
            _money(contract.annual_value),
            contract.start_date.isoformat(),
            contract.end_date.isoformat(),
            contract.review_date.isoformat() if contract.review_date else "",
            code_route(contract.procurement_route),
            contract.procurement_route,
        ]
