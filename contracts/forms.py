"""Forms of the contract register: shape only; the rules live in contracts/services.py."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Fieldset, Layout, Size, Submit
from django import forms

from commissioning.forms import GovChoicesMixin, GovDateField
from commissioning.models import User
from providers.models import Provider

from .imports import UPLOAD, parse_extension_months
from .models import Contract, ContractChange, ProcurementProject
from .selectors import contract_officers, lead_officer_choices
from .services import DECISION_CHOICES


class ExtensionMonthsField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return "+".join(str(v) for v in value)
        return value

    def to_python(self, value):
        try:
            return parse_extension_months(super().to_python(value))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


KEEP_WHEN_BLANK = ("regime", "supply_type", "estimated_value")


class ContractForm(GovChoicesMixin, forms.ModelForm):
    extension_months = ExtensionMonthsField(
        label="Extension options (months)",
        required=False,
        help_text="Months of each extension option in order, for example 12+12 for a 3+1+1 contract.",
    )
    start_date = GovDateField(label="Start date")
    end_date = GovDateField(label="End date", help_text="Current end date, including extensions already used.")
    review_date = GovDateField(label="Review date", required=False)

    class Meta:
        model = Contract
        fields = [
            "reference",
            "title",
            "description",
            "directorate",
            "strategy",
            "category",
            "contract_type",
            "procurement_route",
            "status",
            "contract_manager",
            "backup_manager",
            "predecessor",
            "regime",
            "supply_type",
            "is_concession",
            "estimated_value",
            "kpi_exemption_reason",
            "notice_period_months",
            "lead_provider",
            "other_providers",
            "provider_summary",
            "start_date",
            "end_date",
            "extension_months",
            "extensions_used",
            "duration_note",
            "review_date",
            "review_note",
            "annual_value",
            "total_value",
            "vat_not_recoverable",
            "politically_sensitive",
            "has_kpis",
            "performance_note",
            "corrective_measures",
            "service_credit_percentage",
            "payment_terms",
            "payment_terms_note",
            "payment_frequency",
            "payment_basis",
            "volume_sensitive",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "corrective_measures": forms.Textarea(attrs={"rows": 2}),
            "has_kpis": forms.NullBooleanSelect(),
            "kpi_exemption_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"estimated_value": "Estimated total value (£)", "notice_period_months": "Notice period (months)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_provider"].queryset = Provider.objects.order_by("name")
        self.fields["other_providers"].queryset = Provider.objects.order_by("name")
        self.fields["other_providers"].required = False
        for name in ("contract_manager", "backup_manager"):
            self.fields[name].queryset = contract_officers()
            self.fields[name].label_from_instance = lambda user: user.get_full_name() or user.username
        # Optional on the form: left out (an older client, a partial edit), they keep the contract's value.
        for name in KEEP_WHEN_BLANK:
            self.fields[name].required = False
        predecessors = Contract.objects.order_by("reference")
        if self.instance.pk:
            predecessors = predecessors.exclude(pk=self.instance.pk)
        self.fields["predecessor"].queryset = predecessors
        self.fields["predecessor"].label = "Contract it replaced"
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Fieldset("reference", "title", "description", legend="The service", legend_size=Size.MEDIUM),
            Fieldset(
                "directorate",
                "strategy",
                "category",
                "contract_type",
                "procurement_route",
                "status",
                "contract_manager",
                "backup_manager",
                "predecessor",
                legend="Where it sits",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "regime",
                "supply_type",
                "is_concession",
                "estimated_value",
                "kpi_exemption_reason",
                "notice_period_months",
                legend="Procurement Act 2023",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "lead_provider", "other_providers", "provider_summary", legend="Providers", legend_size=Size.MEDIUM
            ),
            Fieldset(
                "start_date",
                "end_date",
                "extension_months",
                "extensions_used",
                "duration_note",
                "review_date",
                "review_note",
                legend="Term",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "annual_value",
                "total_value",
                "vat_not_recoverable",
                "politically_sensitive",
                legend="Value",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "has_kpis",
                "performance_note",
                "corrective_measures",
                "service_credit_percentage",
                "payment_terms",
                "payment_terms_note",
                "payment_frequency",
                "payment_basis",
                "volume_sensitive",
                legend="Performance and payment",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Save contract"),
        )

    def clean(self):
        cleaned = super().clean()
        for name in KEEP_WHEN_BLANK:
            if cleaned.get(name) in (None, ""):
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def _post_clean(self):
        # Model validation (uniqueness, dates) runs in the service, which reports errors by field.
        pass


class ContractChangeForm(forms.Form):
    kind = forms.ChoiceField(label="What changed", choices=ContractChange.Kind.choices, widget=forms.RadioSelect)
    effective_on = GovDateField(label="Date it takes effect")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    value_change = forms.DecimalField(
        label="Change to total value (£)",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Negative for a reduction. Leave blank for none.",
    )
    annual_value = forms.DecimalField(
        label="New annual value (£)", required=False, max_digits=14, decimal_places=2, min_value=0
    )
    extension_months = forms.IntegerField(
        label="Extension (months)",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Leave blank to use the next option. For a contract running past its end, the months it is "
        "extended by.",
    )
    to_provider = forms.ModelChoiceField(
        label="Novated to", queryset=Provider.objects.order_by("name"), required=False, empty_label="Not a novation"
    )
    approved_by = forms.ModelChoiceField(
        label="Approved by",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not recorded",
        help_text="Required to extend a contract running past its latest possible end.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        approved_by = self.fields["approved_by"]
        assert isinstance(approved_by, forms.ModelChoiceField)
        approved_by.queryset = lead_officer_choices()
        approved_by.label_from_instance = lambda user: user.get_full_name() or user.username
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", "Record change"))


class ChangeNoticeForm(forms.Form):
    change_notice_id = forms.CharField(label="Change notice identifier", max_length=100)
    change_notice_published_on = GovDateField(label="Date published")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", "Record change notice"))


class DecisionForm(forms.Form):
    reprocurement_decision = forms.ChoiceField(label="Decision", choices=DECISION_CHOICES, widget=forms.RadioSelect)
    decided_on = GovDateField(label="Date decided", help_text="For a contract that ended, the day it ended.")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to roll a contract on past its end.",
    )
    successor = forms.ModelChoiceField(
        label="Contract that replaces it (if re-procured and known)",
        queryset=Contract.objects.none(),
        required=False,
        empty_label="Not known yet",
    )

    def __init__(self, *args, contract: Contract | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        successor = self.fields["successor"]
        assert isinstance(successor, forms.ModelChoiceField)
        candidates = Contract.objects.filter(predecessor__isnull=True).order_by("reference")
        if contract is not None:
            candidates = candidates.exclude(pk=contract.pk)
        successor.queryset = candidates
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record decision"))


class TerminationForm(forms.Form):
    terminated_on = GovDateField(label="Date the termination takes effect")
    termination_extent = forms.ChoiceField(
        label="What was terminated",
        choices=[c for c in Contract.TerminationExtent.choices if c[0]],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    notice_id = forms.CharField(
        label="Termination notice identifier (UK11)",
        required=False,
        max_length=100,
        help_text="Once published on the Central Digital Platform; it can be recorded later.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", "Record termination"))


class TerminationNoticeForm(forms.Form):
    termination_notice_id = forms.CharField(label="Termination notice identifier (UK11)", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", "Record termination notice"))


class ContractImportForm(forms.Form):
    file = forms.FileField(
        label="Contract register file",
        help_text="A .csv, .xlsx or .ods file of no more than 5 MB, with the columns of the template.",
        error_messages={"empty": UPLOAD.messages["file_empty"]},
    )
    create_providers = forms.BooleanField(
        label="Add providers that are not yet on the system",
        required=False,
        help_text="Otherwise a provider not found by name or Companies House number is reported as an error.",
    )
    dry_run = forms.BooleanField(label="Check the file only; import nothing", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Upload"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        UPLOAD.check(upload)
        return upload


# --- Procurement projects ----------------------------------------------------------------------------------

OPEN_STAGE_CHOICES = [
    (value, label)
    for value, label in ProcurementProject.Stage.choices
    if value not in (ProcurementProject.Stage.DELIVERED, ProcurementProject.Stage.ABANDONED)
]


class ProcurementProjectForm(GovChoicesMixin, forms.ModelForm):
    """A project on the work plan. A new one starts at an open stage; an existing one's stage moves with
    ProcurementProjectMoveForm."""

    planned_start = GovDateField(
        label="Planned start",
        required=False,
        help_text="When the procurement starts (or started): its work plan year follows from it.",
    )
    tender_notice_date = GovDateField(
        label="Expected tender notice date", required=False, help_text="For the pipeline notice (UK1)."
    )
    go_live_date = GovDateField(label="Go-live date (expected contract start)", required=False)

    class Meta:
        model = ProcurementProject
        fields = [
            "reference",
            "title",
            "description",
            "service_area",
            "directorate",
            "strategy",
            "stage",
            "route",
            "decision_route",
            "cpv_code",
            "lead_officer",
            "estimated_annual_value",
            "whole_life_value",
            "planned_start",
            "tender_notice_date",
            "go_live_date",
            "replaces",
            "resulting_contracts",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "estimated_annual_value": "Estimated annual value (£)",
            "whole_life_value": "Estimated whole-life value (£)",
            "replaces": "Contracts it replaces",
            "resulting_contracts": "Contracts it awarded",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        if creating:
            self.fields["stage"].choices = OPEN_STAGE_CHOICES
            self.fields["stage"].help_text = "Where the project is now. Later moves are recorded from its page."
        else:
            del self.fields["stage"]
        contracts = Contract.objects.order_by("reference")
        for name in ("replaces", "resulting_contracts"):
            self.fields[name].queryset = contracts
            self.fields[name].required = False
        self.fields["resulting_contracts"].help_text = "Once the project reaches award."
        self.fields["lead_officer"].queryset = lead_officer_choices()
        self.fields["lead_officer"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        where = ["directorate", "strategy"] + (["stage"] if creating else []) + ["route", "decision_route", "cpv_code"]
        self.helper.layout = Layout(
            Fieldset(
                "reference", "title", "description", "service_area", legend="The project", legend_size=Size.MEDIUM
            ),
            Fieldset(*where, "lead_officer", legend="Where it sits", legend_size=Size.MEDIUM),
            Fieldset("estimated_annual_value", "whole_life_value", legend="Value", legend_size=Size.MEDIUM),
            Fieldset("planned_start", "tender_notice_date", "go_live_date", legend="Dates", legend_size=Size.MEDIUM),
            Fieldset("replaces", "resulting_contracts", legend="Contracts", legend_size=Size.MEDIUM),
            Submit("submit", "Save project"),
        )

    def _post_clean(self):
        # Model validation (uniqueness, dates, stages) runs in the service, which reports errors by field.
        pass


class ProcurementProjectMoveForm(forms.Form):
    stage = forms.ChoiceField(label="Move the project to", widget=forms.RadioSelect)
    completed_on = GovDateField(
        label="Date delivered or abandoned",
        required=False,
        help_text="Only when the project is delivered or abandoned.",
    )
    reason = forms.CharField(
        label="Reason for abandoning (if abandoned)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, next_stages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = next_stages
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", "Move project"))
