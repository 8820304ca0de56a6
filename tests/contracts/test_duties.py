"""The regime rule and the duties it gives (contracts.duties), on the page, the register, the API and the files."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.duties import duties_for, kpi_duty_q
from contracts.models import Contract
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

R = Contract.Regime
OVER = Decimal("5000000.01")
EXACTLY = Decimal("5000000")

# name, fields, does the KPI duty apply (hand-written, not derived from the rule)
CASES = [
    ("act over £5m", {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": OVER}, True),
    ("act, exactly £5m", {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": EXACTLY}, False),
    ("act, £1m", {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": Decimal("1000000")}, False),
    (
        "act framework",
        {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": OVER, "contract_type": Contract.ContractType.FRAMEWORK},
        False,
    ),
    (
        "act call-off over £5m",
        {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": OVER, "contract_type": Contract.ContractType.CALL_OFF},
        True,
    ),
    ("act concession", {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": OVER, "is_concession": True}, False),
    (
        "act, exemption recorded",
        {"regime": R.PROCUREMENT_ACT_2023, "estimated_value": OVER, "kpi_exemption_reason": "Outcomes are personal."},
        False,
    ),
    ("light touch", {"regime": R.LIGHT_TOUCH, "estimated_value": OVER}, False),
    ("PCR 2015", {"regime": R.PCR_2015, "estimated_value": Decimal("98000000")}, False),
    ("PSR", {"regime": R.PSR_2023, "estimated_value": OVER}, False),
    ("below threshold", {"regime": R.BELOW_THRESHOLD, "estimated_value": OVER}, False),
    ("grant", {"regime": R.GRANT, "estimated_value": OVER}, False),
]


@pytest.mark.parametrize(("name", "fields", "applies"), CASES, ids=[c[0] for c in CASES])
def test_the_kpi_duty_applies_only_to_act_contracts_over_five_million_without_an_exemption(name, fields, applies):
    contract = ContractFactory(**fields)
    assert duties_for(contract).kpis.applies is applies
    # The assessment and UK9 duties follow the KPI duty.
    assert duties_for(contract).assessment.applies is applies
    assert duties_for(contract).performance_notice.applies is applies


def test_kpi_duty_q_and_duties_for_agree_on_every_case():
    made = {name: ContractFactory(**fields).pk for name, fields, _ in CASES}
    in_scope = set(Contract.objects.filter(kpi_duty_q()).values_list("pk", flat=True))
    for name, _, applies in CASES:
        assert (made[name] in in_scope) is applies, name
        assert duties_for(Contract.objects.get(pk=made[name])).kpis.applies is applies, name


@pytest.mark.parametrize(
    ("regime", "words"),
    [
        (R.PCR_2015, "Public Contracts Regulations 2015"),
        (R.PSR_2023, "Provider Selection Regime"),
        (R.LIGHT_TOUCH, "light-touch"),
        (R.BELOW_THRESHOLD, "below-threshold"),
        (R.GRANT, "grant"),
    ],
)
def test_outside_the_act_no_duty_applies_and_each_says_why(regime, words):
    duties = duties_for(ContractFactory(regime=regime, estimated_value=OVER))
    assert not duties.any
    assert all(words in duty.reason for duty in duties.as_list())


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"contract_type": Contract.ContractType.FRAMEWORK}, "framework agreement"),
        ({"is_concession": True}, "concession"),
        ({"estimated_value": EXACTLY}, "not over £5 million"),
        ({"kpi_exemption_reason": "Person-centred outcomes."}, "could not fairly measure"),
    ],
)
def test_each_exemption_under_the_act_gives_its_reason_but_keeps_the_notices(fields, words):
    duties = duties_for(ContractFactory(**{"regime": R.PROCUREMENT_ACT_2023, "estimated_value": OVER, **fields}))
    assert not duties.kpis.applies
    assert words in duties.kpis.reason
    assert duties.change_notice.applies
    assert duties.termination_notice.applies
    assert duties.breach_notice.applies


def test_a_2015_contract_page_says_the_kpi_duty_does_not_apply_and_why(client_as_officer):
    contract = ContractFactory(regime=R.PCR_2015)
    page = client_as_officer.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Procurement Act duties" in page
    assert "The Act's duty does not apply because" in page
    assert "Public Contracts Regulations 2015, before the Procurement Act 2023" in page


def test_an_act_contract_page_says_at_least_three_kpis_must_be_set(client_as_officer):
    contract = ContractFactory(regime=R.PROCUREMENT_ACT_2023, estimated_value=Decimal("12000000"))
    page = client_as_officer.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "at least three KPIs must be set" in page
    assert "£12,000,000" in page


def test_the_register_shows_the_duties_and_filters_by_regime(client_as_officer):
    ContractFactory(reference="ACT-1", regime=R.PROCUREMENT_ACT_2023, estimated_value=OVER)
    ContractFactory(reference="OLD-1", regime=R.PCR_2015)
    response = client_as_officer.get(reverse("contracts:list"), {"regime": R.PROCUREMENT_ACT_2023})
    assert [c.reference for c in response.context["contracts"]] == ["ACT-1"]
    assert response.context["contracts"][0].duty_summary == "KPIs, annual assessment, UK9, breach notice, UK10, UK11"
    response = client_as_officer.get(reverse("contracts:list"), {"regime": R.PCR_2015})
    assert [c.duty_summary for c in response.context["contracts"]] == ["None"]


def test_the_api_gives_each_duty_with_applies_and_reason(client_as_officer):
    contract = ContractFactory(regime=R.LIGHT_TOUCH, estimated_value=OVER)
    body = client_as_officer.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert body["regime"] == "light_touch"
    keys = [d["key"] for d in body["duties"]]
    assert keys == ["kpis", "assessment", "performance_notice", "breach_notice", "change_notice", "termination_notice"]
    assert all(d["applies"] is False and "light-touch" in d["reason"] for d in body["duties"])


def test_the_api_writes_the_regime_and_refuses_an_unknown_one(client_as_officer):
    contract = ContractFactory()
    url = f"/api/v1/contracts/{contract.pk}/"
    ok = client_as_officer.patch(
        url,
        {"regime": "pa2023", "estimated_value": "6000000.00", "supply_type": "works"},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["duties"][0]["applies"] is True
    bad = client_as_officer.patch(url, {"regime": "pcr2006"}, content_type="application/json")
    assert bad.status_code == 400
    assert "regime" in bad.json()["errors"]


def test_the_form_records_the_regime_concession_and_exemption(client_as_officer):
    contract = ContractFactory(regime=R.PCR_2015)
    form = client_as_officer.get(reverse("contracts:edit", args=[contract.pk])).context["form"]
    assert {"regime", "is_concession", "kpi_exemption_reason", "estimated_value"} <= set(form.fields)


def test_the_export_carries_the_regime_columns_and_they_import_again(client_as_officer):
    from contracts.exports import EXPORT_HEADERS
    from contracts.imports import HEADERS

    for heading in ("Procurement regime", "Estimated total value", "Supply type", "Concession"):
        assert heading in EXPORT_HEADERS
        assert heading in HEADERS
    ContractFactory(regime=R.PROCUREMENT_ACT_2023, estimated_value=Decimal("7500000"), is_concession=True)
    text = b"".join(client_as_officer.get(reverse("contracts:export_csv")).streaming_content).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert "Procurement regime" in header
    assert "Procurement Act 2023" in row
    assert "7500000.00" in row


def test_an_import_row_with_an_unknown_regime_names_the_row_and_column(contract_officer):
    from contracts.imports import HEADERS, import_contracts
    from tests.factories import DirectorateFactory

    DirectorateFactory(code="accw", name="Adult Care")
    values = {
        "Reference": "ACT-9",
        "Service contracted": "Homecare",
        "Directorate": "accw",
        "Category": "Community based",
        "Type": "Block",
        "Start date": "01/04/2025",
        "End date": "31/03/2030",
        "Procurement regime": "Procurement Act 2006",
    }
    content = (",".join(HEADERS) + "\n" + ",".join(values.get(h, "") for h in HEADERS) + "\n").encode()
    report = import_contracts(content=content, filename="register.csv", by=contract_officer)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "Procurement regime")]
    assert not Contract.objects.filter(reference="ACT-9").exists()
