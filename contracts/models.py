"""The contract register: contracts, their changes and pooled budgets. (Visits, concerns and the rest
of what officers record against contracts and providers are the oversight app's.)"""

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning import permissions
from commissioning.models import Directorate, TimeStampedModel

KEY_CONTRACT_ANNUAL_VALUE = Decimal("1000000")


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContractQuerySet":
        """The register is officers' information: council officers see every contract, councillors none."""
        return self if permissions.is_officer(user) else self.none()

    def with_is_key(self):
        """Annotate ``is_key_contract``: annual value of £1m or more, or politically sensitive."""
        return self.annotate(
            is_key_contract=Case(
                When(Q(annual_value__gte=KEY_CONTRACT_ANNUAL_VALUE) | Q(politically_sensitive=True), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def key(self):
        return self.filter(Q(annual_value__gte=KEY_CONTRACT_ANNUAL_VALUE) | Q(politically_sensitive=True))

    def live(self, on=None):
        on = on or timezone.localdate()
        return self.filter(status=Contract.Status.LIVE, start_date__lte=on, end_date__gte=on)

    def counted(self) -> "ContractQuerySet":
        """The contracts whose value is counted in a total: not a key-contract row that summarises contracts of
        its own on the register (``parts``; e.g. "12 x provider contracts" for homecare), whose value is
        already counted in them. The one rule for every value total (the pipeline notice, the dashboard)."""
        return self.exclude(Exists(Contract.objects.filter(part_of=OuterRef("pk"))))


class Contract(TimeStampedModel):
    class Category(models.TextChoices):
        RESIDENTIAL = "residential", "Residential"
        COMMUNITY = "community", "Community based"
        CLINICAL_PREVENTION = "clinical_prevention", "Clinical and community prevention"
        STRATEGIC = "strategic", "Strategic"

    class ContractType(models.TextChoices):
        BLOCK = "block", "Block"
        SPOT = "spot", "Spot"
        FRAMEWORK = "framework", "Framework"
        CALL_OFF = "call_off", "Call-off"
        OPEN_SELECT_LIST = "open_select_list", "Open select list"
        GRANT = "grant", "Grant agreement"
        SECTION_75 = "section_75", "Section 75 agreement"
        IN_HOUSE = "in_house", "In-house"

    class Performance(models.TextChoices):
        GOOD = "good", "Good"
        AVERAGE = "average", "Average"
        POOR = "poor", "Poor"
        NOT_ASSESSED = "not_assessed", "Not assessed"

    class PaymentTerms(models.TextChoices):
        ARREARS = "arrears", "Arrears"
        ADVANCE = "advance", "Advance"
        MIXED = "mixed", "Mixed"
        NOT_APPLICABLE = "n/a", "N/A"

    class PaymentFrequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FOUR_WEEKLY = "four_weekly", "Four-weekly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUALLY = "annually", "Annually"
        NOT_APPLICABLE = "n/a", "N/A"

    class PaymentBasis(models.TextChoices):
        PERFORMANCE_DRIVEN = "performance_driven", "Performance driven"
        INDEPENDENT = "independent", "Independent"
        BOTH = "both", "Performance driven and independent"
        NOT_APPLICABLE = "n/a", "N/A"

    class VolumeSensitive(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PARTIALLY = "partially", "Partially"
        NOT_APPLICABLE = "n/a", "N/A"

    class Status(models.TextChoices):
        PIPELINE = "pipeline", "In procurement"
        LIVE = "live", "Live"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated"

    class Reprocurement(models.TextChoices):
        NONE = "", "No decision recorded"
        EXTEND = "extend", "Extend"
        REPROCURE = "reprocure", "Re-procure"
        BRING_IN_HOUSE = "in_house", "Bring in-house"
        DECOMMISSION = "decommission", "Decommission"
        # A contract past its end that carries on while a decision is made: recorded with its reason.
        ROLL_ON = "roll_on", "Roll on"

    class Regime(models.TextChoices):
        """The law the contract was procured under, which decides its statutory duties (contracts.duties)."""

        PROCUREMENT_ACT_2023 = "pa2023", "Procurement Act 2023"
        PCR_2015 = "pcr2015", "Public Contracts Regulations 2015"
        LIGHT_TOUCH = "light_touch", "Procurement Act 2023, light-touch contract"
        PSR_2023 = "psr2023", "Provider Selection Regime 2023"
        BELOW_THRESHOLD = "below_threshold", "Below threshold"
        GRANT = "grant", "Grant, not a procurement"

    class Supply(models.TextChoices):
        SERVICES = "services", "Services"
        GOODS = "goods", "Goods"
        WORKS = "works", "Works"

    class TerminationExtent(models.TextChoices):
        NONE = "", "Not terminated"
        WHOLE = "whole", "Whole contract"
        PART = "part", "Part of the contract"

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField("Service contracted", max_length=255)
    description = models.TextField(blank=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="contracts")
    strategy = models.ForeignKey(
        "strategies.CommissioningStrategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
    )
    lead_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="lead_contracts"
    )
    other_providers = models.ManyToManyField("providers.Provider", blank=True, related_name="shared_contracts")
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_contracts",
        help_text="The contract officer who manages the contract day to day; they may change it whichever "
        "directorate it sits in.",
    )
    backup_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backup_managed_contracts",
        help_text="Who stands in for the contract manager; told of every statutory and end-date alert too.",
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The contract this one replaced, when a service was re-procured.",
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name="Part of",
        help_text="The key-contract row (a framework, a block of provider contracts) this contract is one of: "
        "its value is counted here, and the summary row is left out of totals.",
    )
    regime = models.CharField(
        "Procurement regime",
        max_length=20,
        choices=Regime.choices,
        default=Regime.PCR_2015,
        help_text="The law the contract was procured under: procurements begun on or after 24 February 2025 "
        "are under the Procurement Act 2023.",
    )
    supply_type = models.CharField(max_length=10, choices=Supply.choices, default=Supply.SERVICES)
    is_concession = models.BooleanField("Concession contract", default=False)
    estimated_value = models.DecimalField(
        "Estimated total value",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="The estimated value of the contract over its whole term (Procurement Act 2023, section 52).",
    )
    kpi_exemption_reason = models.TextField(
        "Why KPIs could not fairly measure performance",
        blank=True,
        help_text="Recorded when the Act's duty to set key performance indicators does not apply for this reason.",
    )
    notice_period_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The notice either side must give: the notice date is the end date less this."
    )
    provider_summary = models.CharField(
        max_length=255,
        blank=True,
        help_text="How the provider column reads where there are many, e.g. '315 x Provider Contracts'.",
    )
    locations = models.ManyToManyField("providers.Location", blank=True, related_name="contracts")
    category = models.CharField(max_length=30, choices=Category.choices)
    contract_type = models.CharField("Type", max_length=30, choices=ContractType.choices)
    procurement_route = models.CharField(max_length=120, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(help_text="Current end date, including extensions already used.")
    # Extension options in months, in order: 3+1+1 years is [12, 12]. Used ones are the first ``extensions_used``.
    extension_months = models.JSONField(default=list, blank=True)
    extensions_used = models.PositiveSmallIntegerField(default=0)
    # Stored so that registers can filter and sort on it in SQL; recomputed on every save.
    maximum_end_date = models.DateField(editable=False)
    duration_note = models.CharField(max_length=255, blank=True, help_text="How the template's Duration column reads.")
    review_date = models.DateField(null=True, blank=True)
    review_note = models.CharField(
        max_length=120, blank=True, help_text="e.g. 'Annual review', 'Currently under review'."
    )
    annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    total_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    vat_not_recoverable = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    politically_sensitive = models.BooleanField(default=False)
    has_kpis = models.BooleanField("Contract KPIs", null=True, blank=True)
    # Derived, never typed: the grade of the contract's latest submitted return (oversight.returns: Outstanding or
    # Good -> good, Requires Improvement -> average, Inadequate -> poor); "not assessed" until one is submitted.
    performance = models.CharField(
        max_length=20,
        choices=Performance.choices,
        default=Performance.NOT_ASSESSED,
        editable=False,
        help_text="Derived from the grade of the contract's latest return; not typed.",
    )
    performance_note = models.CharField(max_length=120, blank=True, help_text="e.g. 'Majority Good'.")
    corrective_measures = models.TextField(blank=True)
    service_credit_percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    payment_terms = models.CharField(max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.ARREARS)
    payment_terms_note = models.CharField(
        max_length=120, blank=True, help_text="e.g. '2 weeks advance, 2 weeks arrears'."
    )
    payment_frequency = models.CharField(
        max_length=20, choices=PaymentFrequency.choices, default=PaymentFrequency.MONTHLY
    )
    payment_basis = models.CharField(
        "Performance driven / independent",
        max_length=30,
        choices=PaymentBasis.choices,
        default=PaymentBasis.INDEPENDENT,
    )
    volume_sensitive = models.CharField(max_length=20, choices=VolumeSensitive.choices, default=VolumeSensitive.NO)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LIVE)
    reprocurement_decision = models.CharField(max_length=20, choices=Reprocurement.choices, blank=True, default="")
    reprocurement_decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why, for a contract rolled on past its end.")
    terminated_on = models.DateField(null=True, blank=True)
    termination_extent = models.CharField(
        max_length=10, choices=TerminationExtent.choices, blank=True, default=TerminationExtent.NONE
    )
    termination_reason = models.TextField(blank=True, help_text="For the contract termination notice (UK11).")
    termination_notice_id = models.CharField(
        "Termination notice identifier",
        max_length=100,
        blank=True,
        help_text="The UK11 notice's identifier on the Central Digital Platform, once published there.",
    )

    objects = ContractQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["maximum_end_date"])

    class Meta:
        ordering = ["reference"]
        permissions = [("import_contracts", "Can import contracts")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="contract_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("contracts:detail", args=[self.pk])

    @property
    def owning_directorate_id(self) -> int | None:
        """A contract belongs to its directorate (commissioning.permissions)."""
        return self.directorate_id

    @property
    def is_key(self) -> bool:
        return self.annual_value >= KEY_CONTRACT_ANNUAL_VALUE or self.politically_sensitive

    @property
    def remaining_extension_months(self) -> list[int]:
        return [int(m) for m in self.extension_months[self.extensions_used :]]

    def compute_maximum_end_date(self):
        """The end date if every remaining extension option is taken."""
        return self.end_date + relativedelta(months=sum(self.remaining_extension_months))

    @property
    def extension_pattern(self) -> str:
        """The term as councils write it, e.g. '3+1+1'."""
        initial_months = (relativedelta(self.end_date, self.start_date).years * 12) if self.start_date else 0
        parts = [initial_months] + [int(m) for m in self.extension_months]
        as_years = [f"{m // 12}" if m % 12 == 0 else f"{m}m" for m in parts]
        return "+".join(as_years)

    def save(self, *args, **kwargs):
        self.maximum_end_date = self.compute_maximum_end_date()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "maximum_end_date" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "maximum_end_date"]
        super().save(*args, **kwargs)


class ContractChangeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContractChangeQuerySet":
        """Changes are read with their contract: by officers only."""
        return self if permissions.is_officer(user) else self.none()


class ContractChange(TimeStampedModel):
    """A variation, extension or novation of a contract."""

    class Kind(models.TextChoices):
        VARIATION = "variation", "Variation"
        EXTENSION = "extension", "Extension"
        NOVATION = "novation", "Novation"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective_on = models.DateField()
    description = models.TextField()
    value_change = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    extension_months = models.PositiveSmallIntegerField(null=True, blank=True)
    from_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="novated_from"
    )
    to_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="novated_to"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who approved the change (an extension of a contract past its end needs one).",
    )
    # Whether a change notice (UK10) is due, from contracts.duties when the change is recorded.
    change_notice_required = models.BooleanField(default=False)
    change_notice_reason = models.CharField(max_length=255, blank=True)
    change_notice_id = models.CharField(
        "Change notice identifier",
        max_length=100,
        blank=True,
        help_text="The UK10 notice's identifier on the Central Digital Platform, once published there.",
    )
    change_notice_published_on = models.DateField(null=True, blank=True)

    objects = ContractChangeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.contract.reference} on {self.effective_on:%d/%m/%Y}"

    @property
    def owning_directorate_id(self) -> int | None:
        """A change belongs to its contract's directorate."""
        return self.contract.directorate_id

    def get_absolute_url(self):
        return reverse("contracts:change", args=[self.contract_id, self.pk])

    @property
    def documents_belong_to(self) -> Contract:
        """A change's documents (a variation letter) are read and kept by whoever may read and change the
        contract (commissioning.documents)."""
        return self.contract


class PooledBudgetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PooledBudgetQuerySet":
        """Pooled budgets are read beside the register and the strategies: by officers, not councillors."""
        return self if permissions.is_officer(user) else self.none()


class PooledBudget(TimeStampedModel):
    """A pooled budget or co-commissioning arrangement (section 75, Better Care Fund, grant)."""

    class ArrangementType(models.TextChoices):
        SECTION_75 = "section_75", "Section 75 agreement"
        BETTER_CARE_FUND = "bcf", "Better Care Fund"
        GRANT = "grant", "Grant"
        CO_COMMISSIONING = "co_commissioning", "Co-commissioning"

    name = models.CharField(max_length=255)
    strategy = models.ForeignKey(
        "strategies.CommissioningStrategy",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pooled_budgets",
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="pooled_budgets"
    )
    arrangement_type = models.CharField(max_length=30, choices=ArrangementType.choices)
    partner = models.CharField(max_length=255, help_text="e.g. the four Lincolnshire Clinical Commissioning Groups.")
    total_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    partner_contribution = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    risk_share = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    objects = PooledBudgetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def owning_directorate_id(self) -> int | None:
        """The directorate of its strategy (commissioners keep pooled budgets with their strategies), else of
        its contract; a budget tied to neither is council-wide."""
        if self.strategy_id is not None:
            strategy = self.strategy
            return strategy.directorate_id if strategy is not None else None
        if self.contract_id is not None:
            contract = self.contract
            return contract.directorate_id if contract is not None else None
        return None

    @property
    def council_contribution(self) -> Decimal:
        return self.total_value - self.partner_contribution


class ProcurementProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProcurementProjectQuerySet":
        """The procurement work plan is officers' information, like the register it feeds."""
        return self if permissions.is_officer(user) else self.none()


class ProcurementProject(TimeStampedModel):
    """A procurement on the commercial team's work plan (seed 001, section 3.1): planned, through the market
    and award, to a live service, with the contracts it replaces and the contracts it leads to."""

    class Stage(models.TextChoices):
        PLANNED = "planned", "Planned"
        PRE_MARKET = "pre_market", "Pre-market engagement"
        TENDER = "tender", "Tender"
        EVALUATION = "evaluation", "Evaluation"
        AWARD = "award", "Award"
        MOBILISATION = "mobilisation", "Mobilisation"
        LIVE = "live", "Service live"
        DELIVERED = "delivered", "Delivered"
        ABANDONED = "abandoned", "Abandoned"

    # Stages of a project under way ("LIVE and ongoing" in the annual report): past planning, not yet closed.
    ONGOING_STAGES = (
        Stage.PRE_MARKET,
        Stage.TENDER,
        Stage.EVALUATION,
        Stage.AWARD,
        Stage.MOBILISATION,
        Stage.LIVE,
    )

    class Route(models.TextChoices):
        NOT_DECIDED = "", "Not yet decided"
        OPEN = "open", "Open procedure"
        COMPETITIVE_FLEXIBLE = "competitive_flexible", "Competitive flexible procedure"
        FRAMEWORK = "framework", "Call-off from a framework"
        DYNAMIC_MARKET = "dynamic_market", "Dynamic market"
        DIRECT_AWARD = "direct_award", "Direct award"
        PROVIDER_SELECTION_REGIME = "psr", "Provider Selection Regime (health care services)"
        GRANT = "grant", "Grant"
        IN_HOUSE = "in_house", "In-house provision"

    class DecisionRoute(models.TextChoices):
        OFFICER = "officer", "Officer decision under delegated powers"
        EXECUTIVE_COUNCILLOR = "executive_councillor", "Executive Councillor decision"
        EXECUTIVE = "executive", "Executive decision"

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    service_area = models.CharField(max_length=150, blank=True, help_text="e.g. 'Home care', 'Day opportunities'.")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="procurement_projects")
    strategy = models.ForeignKey(
        "strategies.CommissioningStrategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="procurement_projects",
    )
    replaces = models.ManyToManyField(
        Contract, blank=True, related_name="replacing_projects", help_text="The contracts this procurement replaces."
    )
    resulting_contracts = models.ManyToManyField(
        Contract, blank=True, related_name="procured_by", help_text="The contracts this procurement awarded."
    )
    route = models.CharField(max_length=30, choices=Route.choices, blank=True, default="")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PLANNED)
    estimated_annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    whole_life_value = models.DecimalField(
        "Estimated whole-life value",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="The full contract value, extensions included.",
    )
    planned_start = models.DateField(
        null=True, blank=True, help_text="When the procurement is to start: its work plan year follows from it."
    )
    tender_notice_date = models.DateField(
        "Expected tender notice date", null=True, blank=True, help_text="For the pipeline notice (UK1)."
    )
    go_live_date = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True, help_text="When the project was delivered or abandoned.")
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="procurement_projects"
    )
    decision_route = models.CharField(max_length=30, choices=DecisionRoute.choices, default=DecisionRoute.OFFICER)
    cpv_code = models.CharField("CPV code", max_length=12, blank=True, help_text="e.g. 85310000-5.")
    abandoned_reason = models.TextField(blank=True)

    objects = ProcurementProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(stage__in=["delivered", "abandoned"]),
                name="procurement_completed_only_when_closed",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("contracts:procurement_project", args=[self.pk])

    @property
    def owning_directorate_id(self) -> int | None:
        return self.directorate_id
