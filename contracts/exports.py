"""CSV and Excel exports of the (filtered) contract register."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from commissioning.security import neutralise_formula, neutralise_row

from .models import Contract

EXPORT_HEADERS = [
    "Reference",
    "Service contracted",
    "Directorate",
    "Strategy",
    "Provider",
    "Category",
    "Type",
    "Status",
    "Start date",
    "End date",
    "Extension options",
    "Extensions used",
    "Maximum end date",
    "Review date",
    "Annual value",
    "Total value",
    "Key contract",
    "Performance",
    "Re-procurement decision",
]


def contract_row(contract: Contract) -> list:
    provider = contract.lead_provider.name if contract.lead_provider is not None else ""
    return [
        contract.reference,
        contract.title,
        contract.directorate.name,
        contract.strategy.name if contract.strategy is not None else "",
        contract.provider_summary or provider,
        contract.get_category_display(),
        contract.get_contract_type_display(),
        contract.get_status_display(),
        contract.start_date,
        contract.end_date,
        "+".join(str(m) for m in contract.extension_months),
        contract.extensions_used,
        contract.maximum_end_date,
        contract.review_date,
        contract.annual_value,
        contract.total_value,
        "Yes" if contract.is_key else "No",
        contract.get_performance_display(),
        contract.get_reprocurement_decision_display() if contract.reprocurement_decision else "",
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


def _csv_lines(contracts: Iterable[Contract]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the file as UTF-8
    yield writer.writerow(EXPORT_HEADERS)
    for contract in contracts:
        yield writer.writerow([_csv_cell(v) for v in contract_row(contract)])


def csv_response(contracts: Iterable[Contract], filename: str = "contracts.csv") -> StreamingHttpResponse:
    """Stream the rows, so a register of thousands of contracts is not held in memory as text."""
    response = StreamingHttpResponse(_csv_lines(contracts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(contracts: Iterable[Contract]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contracts")
    sheet.append(EXPORT_HEADERS)
    for contract in contracts:
        sheet.append(neutralise_row(contract_row(contract)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(contracts: Iterable[Contract], filename: str = "contracts.xlsx") -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(contracts), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
