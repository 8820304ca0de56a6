"""CSV and Excel exports of the (filtered) contract register."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from commissioning.security import neutralise_formula, neutralise_row

from .models import Contract, ProcurementProject

# The register export uses the import's own headings, in the template's order, so that a downloaded register
# imports again as it is (tests/contracts/test_register_round_trip.py). Figures the register derives from these
# (maximum end date, key contract) are on its pages, not in the file: the import would refuse a column it
# does not read.
EXPORT_HEADERS = [
    "Reference",
    "Service contracted",
    "Directorate",
    "Strategy",
    "Provider",
    "Companies House number",
    "Provider summary",
    "Category",
    "Type",
    "Procurement route",
    "Start date",
    "End date",
    "Extension options",
    "Extensions used",
    "Review date",
    "Annual value",
    "Total value",
    "Status",
    "Performance",
    "Contract KPIs",
    "Politically sensitive",
    "Payment terms",
    "Performance driven / independent",
    "Volume sensitive",
    "Corrective measures",
    "Description",
    "Procurement regime",
    "Estimated total value",
    "Supply type",
    "Concession",
]


def _y_n(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def contract_row(contract: Contract) -> list:
    """A contract as the register export (and the import) lays it out, in ``EXPORT_HEADERS``."""
    provider = contract.lead_provider
    return [
        contract.reference,
        contract.title,
        contract.directorate.name,
        contract.strategy.name if contract.strategy is not None else "",
        provider.name if provider is not None else "",
        provider.companies_house_number if provider is not None else "",
        contract.provider_summary,
        contract.get_category_display(),
        contract.get_contract_type_display(),
        contract.procurement_route,
        contract.start_date,
        contract.end_date,
        "+".join(str(m) for m in contract.extension_months),
        contract.extensions_used,
        contract.review_date,
        contract.annual_value,
        contract.total_value,
        contract.get_status_display(),
        contract.get_performance_display(),
        _y_n(contract.has_kpis),
        _y_n(contract.politically_sensitive),
        contract.get_payment_terms_display(),
        contract.get_payment_basis_display(),
        contract.get_volume_sensitive_display(),
        contract.corrective_measures,
        contract.description,
        contract.get_regime_display(),
        contract.estimated_value,
        contract.get_supply_type_display(),
        _y_n(contract.is_concession),
    ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(neutralise_formula(value))


class _Echo:
    def write(self, value):
        return value


def _csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the file as UTF-8
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def table_csv_response(headers: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Stream a table as CSV (dates as dd/mm/yyyy, money to the penny, formulas neutralised)."""
    response = StreamingHttpResponse(_csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_xlsx_bytes(headers: list[str], rows: Iterable[list], sheet_title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(headers)
    for row in rows:
        sheet.append(neutralise_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_xlsx_response(headers: list[str], rows: Iterable[list], filename: str, sheet_title: str) -> HttpResponse:
    response = HttpResponse(
        table_xlsx_bytes(headers, rows, sheet_title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(contracts: Iterable[Contract], filename: str = "contracts.csv") -> StreamingHttpResponse:
    """Stream the rows, so a register of thousands of contracts is not held in memory as text."""
    return table_csv_response(EXPORT_HEADERS, (contract_row(c) for c in contracts), filename)


def xlsx_bytes(contracts: Iterable[Contract]) -> bytes:
    return table_xlsx_bytes(EXPORT_HEADERS, (contract_row(c) for c in contracts), "Contracts")


def xlsx_response(contracts: Iterable[Contract], filename: str = "contracts.xlsx") -> HttpResponse:
    return table_xlsx_response(EXPORT_HEADERS, (contract_row(c) for c in contracts), filename, "Contracts")


def import_template_xlsx() -> bytes:
    """The import template: a header row and a second sheet describing each column."""
    from openpyxl import Workbook

    from .imports import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contracts"
    sheet.append([c.header for c in COLUMNS])
    notes = workbook.create_sheet("Columns")
    notes.append(["Column", "Required", "What to enter"])
    for column in COLUMNS:
        notes.append([column.header, "Yes" if column.required else "No", column.help])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Procurement projects: the work plan and the pipeline notice -------------------------------------------

PROJECT_EXPORT_HEADERS = [
    "Reference",
    "Project",
    "Service area",
    "Directorate",
    "Strategy",
    "Stage",
    "Route",
    "Estimated annual value",
    "Estimated whole-life value",
    "Planned start",
    "Expected tender notice date",
    "Go-live date",
    "Completed on",
    "Lead officer",
    "Decision route",
    "CPV code",
    "Contracts replaced",
    "Resulting contracts",
]


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def project_row(project: ProcurementProject) -> list:
    """A project as the work plan export shows it (replaced and resulting contracts prefetched)."""
    return [
        project.reference,
        project.title,
        project.service_area,
        project.directorate.name,
        project.strategy.name if project.strategy is not None else "",
        project.get_stage_display(),
        project.get_route_display() if project.route else "",
        project.estimated_annual_value,
        project.whole_life_value,
        project.planned_start,
        project.tender_notice_date,
        project.go_live_date,
        project.completed_on,
        _person(project.lead_officer),
        project.get_decision_route_display(),
        project.cpv_code,
        "; ".join(c.reference for c in project.replaces.all()),
        "; ".join(c.reference for c in project.resulting_contracts.all()),
    ]


PIPELINE_NOTICE_HEADERS = [
    "Reference",
    "Contract title",
    "Description",
    "CPV code",
    "Estimated value (whole life)",
    "Estimated annual value",
    "Procedure",
    "Expected tender notice date",
    "Expected contract start date",
    "Contact name",
    "Contact email",
    "Contact telephone",
    "Directorate",
]


def pipeline_notice_row(project: ProcurementProject) -> list:
    """A project as the pipeline notice (UK1) lists it."""
    lead = project.lead_officer
    return [
        project.reference,
        project.title,
        project.description,
        project.cpv_code,
        project.whole_life_value,
        project.estimated_annual_value,
        project.get_route_display() if project.route else "Not yet decided",
        project.tender_notice_date,
        project.go_live_date,
        _person(lead),
        lead.email if lead is not None else "",
        lead.phone if lead is not None else "",
        project.directorate.name,
    ]
