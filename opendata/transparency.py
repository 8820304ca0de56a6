"""The Local Government Transparency Code 2015 contracts layout (Part 2, "Contracts"): one row per contract."""

from decimal import Decimal

CSV_COLUMNS = [
    "Reference number",
    "Title of agreement",
    "Department responsible",
    "Description of goods and services",
    "Supplier name",
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
    "Procurement route",
]


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def transparency_rows(contracts):
    """One row per contract in the Transparency Code's columns (dates ISO 8601, money without symbols)."""
    for contract in contracts:
        supplier = contract.lead_provider
        yield [
            contract.reference,
            contract.title,
            contract.directorate.name,
            contract.description,
            supplier.name if supplier else contract.provider_summary,
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
            contract.procurement_route,
        ]
