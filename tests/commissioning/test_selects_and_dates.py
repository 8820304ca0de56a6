"""One component kit for selects and dates (issue 19): every select of every filter form and page form opens
with a real option ("Any", "Choose …", "None"), never Django's "---------"; the register's date filters are the
GOV.UK day / month / year input, which accepts and shows UK dates and names the filter when a date is not real.

The forms are found, not listed: every FilterSet and every form class of the project's apps, built with the
keyword arguments their ``__init__`` asks for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import date
from typing import Any

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.conf import settings

from commissioning.forms import CHOOSE, DASHES, GovChoicesMixin, label_empty_choices
from commissioning.listing import GovDateFilter, GovFilterSet
from contracts.filters import ContractFilter
from contracts.models import Contract
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = str(settings.BASE_DIR)
OWN_APPS = [app for app in apps.get_app_configs() if app.path.startswith(ROOT) and "site-packages" not in app.path]
OWN = {app.name for app in OWN_APPS}


def _import_form_modules() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the URLconf first, in the order the app loads its modules
    # forms.py, filters.py and their siblings (alert_forms, market_api, ...) hold every form and FilterSet.
    for app in OWN_APPS:
        for info in pkgutil.iter_modules([app.path]):
            if info.name in {"forms", "filters"} or info.name.endswith(("_forms", "_filters", "api")):
                importlib.import_module(f"{app.name}.{info.name}")


def _subclasses(cls: Any) -> list[Any]:
    found: list[Any] = []
    sub: Any
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _own(classes: list[Any]) -> list[Any]:
    unique = {cls for cls in classes if cls.__module__.split(".")[0] in OWN and not cls.__name__.startswith("_")}
    return sorted(unique, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


_import_form_modules()
FILTERSETS = [cls for cls in _own(_subclasses(django_filters.FilterSet)) if cls._meta.model is not None]
FORMS = [
    cls
    for cls in _own(_subclasses(forms.BaseForm))
    if not cls.__module__.endswith(".admin") and getattr(getattr(cls, "_meta", None), "model", True) is not None
]

OPTION = re.compile(r"<option[^>]*>([^<]*)</option>")


def _options(html: str) -> list[str]:
    return [text.strip() for text in OPTION.findall(html)]


def _escalation():
    """An escalation opened through the service, on seed 001's ladder."""
    from oversight import escalation
    from tests.oversight.escalation_factories import ladder

    ladder()
    contract = factories.ContractFactory()
    return escalation.escalation_open(
        provider=contract.lead_provider,
        contract=contract,
        reason="Owner blocks improvements.",
        by=factories.UserFactory(is_superuser=True),
    )


def _framework():
    """A quality framework made through the service."""
    import datetime

    from oversight import quality

    return quality.quality_framework_create(
        by=factories.UserFactory(is_superuser=True),
        name="ASC Quality Framework",
        service_area="Care homes",
        starts_on=datetime.date(2018, 4, 1),
    )


@pytest.fixture
def build_kwargs(db):
    """Values for the keyword arguments a form's __init__ asks for, made on first use."""
    made: dict[str, object] = {}

    def value(name: str, annotation: object) -> object:
        makers = {
            "user": lambda: factories.UserFactory(is_superuser=True),
            "provider": factories.ProviderFactory,
            "contract": factories.ContractFactory,
            "strategy": factories.StrategyFactory,
            "measure": factories.MeasureFactory,
            "kpi": factories.ContractKpiFactory,
            "concern": factories.ConcernFactory,
            "strategies": lambda: [factories.StrategyFactory()],
            "choices": lambda: factories.StrategyFactory._meta.model.objects.all(),
            "order": dict,
            "next_stages": lambda: [("planned", "Planned")],
            "year_choices": lambda: [(2018, "2018/19")],
            "allowed": lambda: ["Name"],
            "submit": lambda: "Continue",
            "change_required": lambda: False,
            "escalation": _escalation,
            "framework": _framework,
        }
        if name not in made:
            if name in makers:
                made[name] = makers[name]()
            elif name == "method":
                from tests.providers.risk_factories import method_v1

                made[name] = method_v1()
            else:
                raise LookupError(name)
        return made[name]

    def build(cls: type) -> dict[str, object]:
        kwargs = {}
        for parameter in inspect.signature(cls).parameters.values():
            named = parameter.kind in {parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD}
            if named and parameter.default is parameter.empty:
                kwargs[parameter.name] = value(parameter.name, parameter.annotation)
        return kwargs

    return build


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_no_filter_select_shows_dashes(filterset, rf):
    request = rf.get("/")
    request.user = factories.UserFactory(is_superuser=True)
    form = filterset(data={}, queryset=filterset._meta.model.objects.all(), request=request).form
    html = "".join(str(field) for field in form)
    selects = [field for field in form if isinstance(field.field.widget, forms.Select)]
    assert DASHES not in html, f"{filterset.__name__} shows '{DASHES}'"
    assert "Unknown" not in _options(html), f"{filterset.__name__} offers 'Unknown' for yes / no"
    for field in selects:
        options = _options(str(field))
        if options and not field.field.widget.allow_multiple_selected:
            assert options[0] not in {"", DASHES}, f"{filterset.__name__}.{field.name} opens with {options[0]!r}"


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_no_form_select_shows_dashes(form_class, build_kwargs):
    form = form_class(**build_kwargs(form_class))
    html = "".join(str(field) for field in form)
    assert DASHES not in html, f"{form_class.__name__} shows '{DASHES}' in a select"


def test_page_filters_share_the_one_base():
    # The page lists' filters (each app's filters.py) all get "Any" and the GOV.UK date input from one place.
    page_filters = [cls for cls in FILTERSETS if cls.__module__.endswith(".filters")]
    assert page_filters
    assert [cls.__name__ for cls in page_filters if not issubclass(cls, GovFilterSet)] == []


def test_filter_labels_say_any_and_keep_a_chosen_label(rf):
    form = ContractFilter(data={}, queryset=Contract.objects.all()).form
    assert _options(str(form["status"]))[0] == "Any"
    assert _options(str(form["manager"]))[0] == "Anyone"  # the filter's own label is kept


def test_a_yes_no_filter_offers_any_yes_no():
    from scrutiny.filters import DecisionFilter
    from scrutiny.models import Decision

    form = DecisionFilter(data={}, queryset=Decision.objects.all()).form
    assert _options(str(form["key_decision"])) == ["Any", "Yes", "No"]


class _Choices(GovChoicesMixin, forms.Form):
    needed = forms.ModelChoiceField(queryset=Contract.objects.all())
    maybe = forms.ModelChoiceField(queryset=Contract.objects.all(), required=False)
    kind = forms.ChoiceField(choices=[("", DASHES), ("a", "A")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # changed after the mixin's __init__: still labelled right


def test_form_mixin_says_choose_or_none():
    form = _Choices()
    assert _options(str(form["needed"]))[0] == CHOOSE
    assert _options(str(form["maybe"]))[0] == "None"
    assert _options(str(form["kind"])) == ["None", "A"]


def test_a_label_the_form_chose_is_kept():
    form = _Choices()
    form.fields["needed"].empty_label = "Choose a contract"
    label_empty_choices(form)
    assert _options(str(form["needed"]))[0] == "Choose a contract"


# --- Dates ------------------------------------------------------------------------------------------------------


def _register(data: dict) -> ContractFilter:
    return ContractFilter(data=data, queryset=Contract.objects.all())


def test_register_date_filters_are_gov_uk_day_month_year_inputs():
    form = _register({}).form
    html = str(form["end_after"])
    names = re.findall(r'name="([^"]+)"', html)
    assert names == ["end_after_0", "end_after_1", "end_after_2"]  # day, month, year: UK order
    assert 'type="date"' not in html
    assert isinstance(ContractFilter.base_filters["end_after"], GovDateFilter)


def test_date_filter_accepts_a_uk_date_and_shows_it_back():
    ending = factories.ContractFactory(end_date=date(2019, 3, 31))
    factories.ContractFactory(end_date=date(2019, 3, 1))
    found = _register({"end_after_0": "5", "end_after_1": "3", "end_after_2": "2019"})
    assert list(found.qs) == [ending]
    html = str(found.form["end_after"])
    for part in ('value="5"', 'value="3"', 'value="2019"'):
        assert part in html


@pytest.mark.parametrize("text", ["31/03/2019", "2019-03-31"])
def test_date_filter_accepts_a_whole_date_in_a_link(text):
    ending = factories.ContractFactory(end_date=date(2019, 3, 31))
    factories.ContractFactory(end_date=date(2019, 4, 1))
    found = _register({"end_before": text})
    assert list(found.qs) == [ending]
    assert 'value="31"' in str(found.form["end_before"])  # shown back as day, month and year


@pytest.mark.parametrize(
    "data",
    [
        {"end_after_0": "31", "end_after_1": "2", "end_after_2": "2019"},
        {"end_after_0": "x", "end_after_1": "2", "end_after_2": "2019"},
        {"end_after": "02/31/2019"},  # US order
    ],
)
def test_a_date_that_is_not_real_is_refused_naming_the_filter(data):
    found = _register(data)
    assert not found.form.is_valid()
    messages = found.form.errors["end_after"]
    assert any("ending on or after" in message.lower() for message in messages), messages


def test_part_of_a_date_is_refused_naming_the_filter():
    found = _register({"end_before_0": "31", "end_before_1": "", "end_before_2": "2019"})
    assert not found.form.is_valid()
    assert found.form.errors["end_before"] == ["Enter the ending on or before as day, month and year"]


def test_a_date_field_named_in_meta_gets_the_gov_uk_input():
    class Filter(GovFilterSet):
        class Meta:
            model = Contract
            fields = ["end_date"]

    assert isinstance(Filter.base_filters["end_date"], GovDateFilter)
