"""Savings: budgeted and achieved by directorate, strategy and year, with the variation and its reasons (seed 004),
and the check that a saving does not destabilise a provider other directorates also use."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commissioning import roles
from contracts.models import Contract
from strategies import selectors, services
from strategies.models import Saving
from tests.factories import (
    AchievedSavingFactory,
    ContractFactory,
    DirectorateFactory,
    ProviderFactory,
    SavingFactory,
    StrategyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

K = Decimal("1000")


@pytest.fixture
def children(db):
    return DirectorateFactory(code="cs", name="Children's Services")


@pytest.fixture
def other_commissioner(children):
    user = UserFactory(username="other", directorate=children)
    user.groups.add(Group.objects.get(name=roles.COMMISSIONER))
    return user


def _data(directorate, **overrides) -> dict:
    data = {
        "reference": "ASC-1617-01",
        "directorate": directorate,
        "year": 2016,
        "title": "Re-commission day services",
        "budgeted": Decimal("6100000"),
        "status": Saving.Status.AGREED,
    }
    return {**data, **overrides}


# --- Rules ------------------------------------------------------------------------------------------------


def test_a_commissioner_records_their_directorates_saving_and_who_did_it(commissioner, directorate):
    saving = services.saving_create(by=commissioner, data=_data(directorate))

    assert saving.history.first().history_user == commissioner
    assert saving.variation_amount is None  # nothing achieved recorded yet


def test_a_commissioner_may_not_record_or_change_another_directorates_saving(
    commissioner, other_commissioner, directorate, children
):
    with pytest.raises(PermissionDenied):
        services.saving_create(by=commissioner, data=_data(children))
    saving = SavingFactory(directorate=directorate)
    with pytest.raises(PermissionDenied):
        services.saving_update(saving=saving, by=other_commissioner, data={"title": "Changed"})
    with pytest.raises(PermissionDenied):
        services.saving_update(saving=saving, by=commissioner, data={"directorate": children})


def test_councillors_and_contract_officers_read_savings_but_never_write_them(
    scrutiny_member, contract_officer, directorate
):
    for user in (scrutiny_member, contract_officer):
        with pytest.raises(PermissionDenied):
            services.saving_create(by=user, data=_data(directorate))


def test_a_variation_needs_its_reasons(commissioner, directorate):
    with pytest.raises(ValidationError) as refused:
        services.saving_create(
            by=commissioner, data=_data(directorate, achieved=Decimal("4794000"), status=Saving.Status.ACHIEVED)
        )
    assert refused.value.message_dict["reasons"] == [
        "Enter the reasons for the variation of £1,306,000 short of the budgeted saving."
    ]

    saving = services.saving_create(
        by=commissioner,
        data=_data(
            directorate,
            achieved=Decimal("4794000"),
            status=Saving.Status.ACHIEVED,
            reasons="Home care rates were raised to secure quality and staff terms.",
        ),
    )
    assert saving.variation_amount == Decimal("1306000")


def test_more_saved_than_budgeted_also_needs_reasons(commissioner, directorate):
    with pytest.raises(ValidationError) as refused:
        services.saving_create(
            by=commissioner,
            data=_data(directorate, budgeted=3010 * K, achieved=3153 * K, status=Saving.Status.ACHIEVED),
        )
    assert "£143,000 more than the budgeted saving" in refused.value.message_dict["reasons"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"achieved": Decimal("10"), "status": "proposed"}, "achieved", "A proposed saving has achieved nothing"),
        ({"status": "achieved"}, "achieved", "Enter the achieved saving"),
        ({"status": "at_risk"}, "reasons", "Enter the reasons the saving is at risk."),
        ({"status": "undeliverable"}, "reasons", "Enter the reasons the saving is undeliverable."),
        ({"year": 1999}, "year", "such as 2016 for 2016/17"),
        ({"budgeted": Decimal("-1")}, "budgeted", "greater than or equal to 0"),
        ({"reference": ""}, "reference", "cannot be blank"),
    ],
)
def test_a_saving_that_breaks_a_rule_is_refused_naming_the_field(commissioner, directorate, overrides, field, words):
    with pytest.raises(ValidationError) as refused:
        services.saving_create(by=commissioner, data=_data(directorate, **overrides))
    assert words in " ".join(refused.value.message_dict[field])
    assert not Saving.objects.exists()


def test_a_saving_touches_only_its_own_directorates_strategy_and_contracts(commissioner, directorate, children):
    elsewhere = ContractFactory(directorate=children, reference="CS-0001")
    strategy = StrategyFactory(directorate=children, name="Early Help")

    with pytest.raises(ValidationError) as refused:
        services.saving_create(by=commissioner, data=_data(directorate, strategy=strategy, contracts=[elsewhere]))
    assert "CS-0001 is another directorate's" in refused.value.message_dict["contracts"][0]
    assert "Early Help" in refused.value.message_dict["strategy"][0]

    own = ContractFactory(directorate=directorate)
    saving = services.saving_create(by=commissioner, data=_data(directorate, contracts=[own]))
    assert list(saving.contracts.all()) == [own]
    services.saving_update(saving=saving, by=commissioner, data={"title": "Renamed"})
    assert list(saving.contracts.all()) == [own]  # not written, kept


# --- The table by directorate and year (seed 004) ------------------------------------------------------


def test_the_table_sums_budgeted_achieved_and_variation_by_directorate_and_year(directorate, children):
    # Seed 004's 2016/17 rows for two directorates (Adult Social Care split over two savings), and 2017/18 proposals.
    AchievedSavingFactory(directorate=directorate, year=2016, budgeted=5000 * K, achieved=4000 * K, reasons="r")
    AchievedSavingFactory(directorate=directorate, year=2016, budgeted=1100 * K, achieved=794 * K, reasons="r")
    AchievedSavingFactory(directorate=children, year=2016, budgeted=1800 * K, achieved=1600 * K, reasons="r")
    SavingFactory(directorate=directorate, year=2017, budgeted=5000 * K, status=Saving.Status.PROPOSED)
    SavingFactory(directorate=children, year=2017, budgeted=1326 * K, status=Saving.Status.PROPOSED)

    table = selectors.savings_table(savings=Saving.objects.all())

    assert table.years == [2016, 2017]
    by_name = {row["directorate"]: row["cells"] for row in table.rows}
    adults, kids = by_name[directorate.name], by_name["Children's Services"]
    # By hand: 5,000 + 1,100 = 6,100 budgeted; 4,000 + 794 = 4,794 achieved; 6,100 - 4,794 = 1,306.
    assert (adults[0].budgeted, adults[0].achieved, adults[0].variation) == (6100 * K, 4794 * K, 1306 * K)
    assert (kids[0].budgeted, kids[0].achieved, kids[0].variation) == (1800 * K, 1600 * K, 200 * K)
    assert (adults[1].budgeted, adults[1].achieved, adults[1].variation) == (5000 * K, None, None)
    # Totals: 6,100 + 1,800 = 7,900; 1,306 + 200 = 1,506; 2017/18 proposals 5,000 + 1,326 = 6,326.
    assert (table.totals[2016].budgeted, table.totals[2016].variation) == (7900 * K, 1506 * K)
    assert (table.totals[2017].budgeted, table.totals[2017].achieved) == (6326 * K, None)
    assert isinstance(table.totals[2016].budgeted, Decimal)


# --- The provider check ---------------------------------------------------------------------------------


def test_the_check_lists_providers_of_the_savings_contracts_that_other_directorates_also_use(directorate, children):
    public_health = DirectorateFactory(code="ph", name="Public Health")
    shared = ProviderFactory(name="Leeds Community Healthcare")
    partner = ProviderFactory(name="Aspire")
    only_ours = ProviderFactory(name="Local Homecare Ltd")
    touched = ContractFactory(directorate=directorate, lead_provider=shared, reference="ASC-0001")
    touched.other_providers.add(partner)
    other = ContractFactory(directorate=directorate, lead_provider=only_ours, reference="ASC-0002")
    # Elsewhere: the shared provider leads in Children's Services and is a partner in Public Health; Aspire
    # holds an expired contract only (no longer at risk); the saving's own directorate's other contracts don't count.
    ContractFactory(directorate=children, lead_provider=shared, reference="CS-0101", annual_value=Decimal("400000"))
    joint = ContractFactory(directorate=public_health, reference="PH-0007", annual_value=Decimal("100000"))
    joint.other_providers.add(shared)
    ContractFactory(directorate=children, lead_provider=partner, reference="CS-0099", status=Contract.Status.EXPIRED)
    ContractFactory(directorate=directorate, lead_provider=shared, reference="ASC-0003")
    saving = SavingFactory(directorate=directorate, contracts=[touched, other])

    check = selectors.saving_provider_check(saving=saving)

    assert [p.provider.name for p in check.providers] == ["Leeds Community Healthcare"]
    found = check.providers[0]
    assert found.touched == ["ASC-0001"]
    assert [
        (e["directorate"], [c["reference"] for c in e["contracts"]], e["annual_value"]) for e in found.elsewhere
    ] == [
        ("Children's Services", ["CS-0101"], Decimal("400000")),
        ("Public Health", ["PH-0007"], Decimal("100000")),
    ]
    assert (check.touched_provider_count, check.only_this_directorate) == (3, 2)


def test_the_check_runs_three_queries_however_many_contracts_and_providers(
    directorate, children, django_assert_num_queries
):
    contracts = []
    for _number in range(20):
        provider = ProviderFactory()
        contract = ContractFactory(directorate=directorate, lead_provider=provider)
        contract.other_providers.add(ProviderFactory())
        ContractFactory(directorate=children, lead_provider=provider)
        contracts.append(contract)
    saving = SavingFactory(directorate=directorate, contracts=contracts)

    with django_assert_num_queries(3):
        check = selectors.saving_provider_check(saving=saving)
    assert len(check.providers) == 20


def test_a_saving_touching_no_contract_has_nothing_to_check(directorate):
    check = selectors.saving_provider_check(saving=SavingFactory(directorate=directorate))
    assert (check.providers, check.touched_provider_count) == ([], 0)


# --- Pages -------------------------------------------------------------------------------------------------


def test_the_savings_list_filters_by_directorate_year_and_status(client_as_scrutiny, directorate, children):
    SavingFactory(directorate=directorate, year=2016, reference="ASC-1617-01")
    SavingFactory(directorate=directorate, year=2017, reference="ASC-1718-01", status=Saving.Status.PROPOSED)
    SavingFactory(directorate=children, year=2016, reference="CS-1617-01")
    url = reverse("strategies:savings")

    def refs(**params) -> list[str]:
        page = client_as_scrutiny.get(url, params).content.decode()
        return [r for r in ("ASC-1617-01", "ASC-1718-01", "CS-1617-01") if f">{r}</a>" in page]

    assert refs() == ["ASC-1617-01", "ASC-1718-01", "CS-1617-01"]
    assert refs(directorate=children.pk) == ["CS-1617-01"]
    assert refs(year=2017) == ["ASC-1718-01"]
    assert refs(status="proposed") == ["ASC-1718-01"]
    warned = client_as_scrutiny.get(url, {"year": "next year"}).content.decode()
    assert "filter was not applied" in warned


def test_the_savings_list_runs_constant_queries(client_as_officer, directorate, django_assert_max_num_queries):
    strategy = StrategyFactory(directorate=directorate)
    for year in (2015, 2016, 2017):
        AchievedSavingFactory.create_batch(10, directorate=directorate, year=year, strategy=strategy)
    with django_assert_max_num_queries(15):
        response = client_as_officer.get(reverse("strategies:savings"))
    assert response.status_code == 200
    assert "2017/18" in response.content.decode()


def test_the_csv_export_has_a_row_per_filtered_saving_with_its_variation(client_as_officer, directorate):
    AchievedSavingFactory(
        directorate=directorate, reference="ASC-1", budgeted=100 * K, achieved=80 * K, reasons="=SUM(A1)"
    )
    SavingFactory(directorate=directorate, reference="ASC-2", year=2017)
    response = client_as_officer.get(reverse("strategies:savings_csv"), {"year": 2016})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference"
    assert [(r[0], r[6], r[7], r[8]) for r in rows[1:]] == [("ASC-1", "100000.00", "80000.00", "20000.00")]
    assert not rows[1][9].startswith("=")  # a formula is neutralised


def test_the_saving_page_shows_the_check_to_officers_and_only_figures_to_councillors(
    client_as_officer, client_as_scrutiny, directorate, children
):
    shared = ProviderFactory(name="Leeds Community Healthcare")
    touched = ContractFactory(directorate=directorate, lead_provider=shared, reference="ASC-0001")
    ContractFactory(directorate=children, lead_provider=shared, reference="CS-0101")
    saving = AchievedSavingFactory(directorate=directorate, contracts=[touched])
    url = reverse("strategies:saving", args=[saving.pk])

    officer_page = client_as_officer.get(url).content.decode()
    councillor_page = client_as_scrutiny.get(url).content.decode()

    assert "Providers other directorates also use" in officer_page
    assert "Leeds Community Healthcare" in officer_page
    assert "CS-0101" in officer_page
    assert "£100,000.00" in councillor_page
    assert "Leeds Community Healthcare" not in councillor_page
    assert "ASC-0001" not in councillor_page


def test_a_commissioner_records_a_saving_on_the_page_and_a_bad_one_is_refused_on_its_field(
    client_as_commissioner, directorate
):
    contract = ContractFactory(directorate=directorate, reference="ASC-0042")
    form = {
        "reference": "ASC-1819-01",
        "directorate": directorate.pk,
        "year": 2018,
        "title": "Renegotiate the day services contract",
        "budgeted": "250000",
        "achieved": "200000",
        "status": "achieved",
        "contracts": "asc-0042, ASC-9999",
    }
    url = reverse("strategies:saving_add")

    refused = client_as_commissioner.post(url, form).content.decode()
    assert "No contract has the reference ASC-9999." in refused
    refused = client_as_commissioner.post(url, {**form, "contracts": "asc-0042"}).content.decode()
    assert "Enter the reasons for the variation of £50,000" in refused
    saved = client_as_commissioner.post(url, {**form, "contracts": "asc-0042", "reasons": "Started in July."})

    saving = Saving.objects.get()
    assert saved.url == saving.get_absolute_url()
    assert list(saving.contracts.all()) == [contract]
    edit = client_as_commissioner.get(reverse("strategies:saving_edit", args=[saving.pk])).content.decode()
    assert 'value="ASC-0042"' in edit
