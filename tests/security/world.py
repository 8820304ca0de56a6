"""The world of objects the permission matrix points its URLs at, and the people who ask.

Two directorates (Adult Care "A", Children's Services "B") with a strategy each. Everything directorate-owned
that the matrix targets belongs to A: the commissioner is tied to A, the other commissioner to B (and acts on
A's objects). Reports exist in each workflow state a move starts from, packs and report PDFs exist as rendered
files (so a download answers 200 to those allowed, not "not ready" to everyone), and the councillor sits on
the committee.

Built once per test module inside a transaction that is rolled back at the end (``module_world``); each test
then runs in a savepoint of its own, so a POST that does change something (publish, render, revoke) leaves
nothing behind for the next test.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client, override_settings

from commissioning import roles
from tests import factories as f

from .expectations import ADMIN, ANON, COMMISSIONER, COUNCILLOR, OFFICER, OTHER_COMMISSIONER

PDF = b"%PDF-1.4\n% a rendered file for the permission matrix\n%%EOF\n"

# Who is who: the role group, the directorate (None: council-wide) and whether they reach the admin site.
PEOPLE = {
    COMMISSIONER: (roles.COMMISSIONER, "A", False),
    OTHER_COMMISSIONER: (roles.COMMISSIONER, "B", False),
    OFFICER: (roles.CONTRACT_OFFICER, None, False),
    COUNCILLOR: (roles.SCRUTINY_MEMBER, None, False),
    ADMIN: (roles.ADMINISTRATOR, None, True),
}


@dataclass
class World:
    users: dict = field(default_factory=dict)  # actor -> User (no entry for the anonymous)
    objects: dict = field(default_factory=dict)  # name -> model instance
    targets: dict = field(default_factory=dict)  # target name -> URL kwargs (and "?" for a query string)
    sessions: dict = field(default_factory=dict)  # actor -> session key of a signed-in session

    def user(self, actor: str):
        return None if actor == ANON else self.users[actor]


def _file(name: str) -> str:
    return default_storage.save(name, ContentFile(PDF))


def _plan_and_savings(strategy, contract) -> dict[str, Any]:
    """A theme of directorate A's plan with an "I" statement, a finer cycle stage, and a saving of A touching
    A's contract."""
    theme = f.StrategicThemeFactory(strategy=strategy)
    return {
        "theme": theme,
        "statement": f.ThemeStatementFactory(theme=theme),
        "cycle_stage": f.CycleStageFactory(),
        "saving": f.SavingFactory(directorate=strategy.directorate, contracts=[contract]),
    }


def _two_stage_scrutiny(strategy, committee, meeting) -> dict[str, Any]:
    """A report of directorate A on its way through scrutiny (a subject committee's stage, not yet concluded),
    a recommendation awaiting the Executive's response, and an open action on one already answered."""
    from scrutiny.models import RecommendationAction, ScrutinyStage

    on_its_way = f.HighlightReportFactory(
        strategy=strategy, year=2017, quarter=3, status=f.HighlightReport.Status.BOARD_REVIEWED
    )
    stage = ScrutinyStage.objects.create(report=on_its_way, step=ScrutinyStage.Step.SUBJECT_COMMITTEE, meeting=meeting)
    awaiting = f.ScrutinyRecommendationFactory(strategy=strategy, committee=committee, meeting=meeting, number=1)
    answered = f.ScrutinyRecommendationFactory(
        strategy=strategy,
        committee=committee,
        meeting=meeting,
        number=2,
        response="accepted",
        responded_by="Executive Councillor for Adult Care",
        responded_on=datetime.date(2018, 11, 6),
        status="in_progress",
    )
    action = RecommendationAction.objects.create(recommendation=answered, description="Engage carers' groups.")
    return {
        "stage_report": on_its_way,
        "stage": stage,
        "recommendation": awaiting,
        "responded_recommendation": answered,
        "recommendation_action": action,
    }


def _procurement_act(world: World, directorate, provider, strategy, contract) -> dict[str, Any]:
    """Procurement Act 2023 records: KPIs, a result and a due assessment on the world's contract; and, under a
    contract the KPI duty applies to, a completed assessment, notices in each state (drafted by the
    administrator, so the officer may approve) and a breach; and the alerts: one sent to the officer, and the
    officer's own alert rule."""
    kpi = f.FrozenContractKpiFactory(contract=contract)
    act = f.ActContractFactory(
        reference="ACT-MATRIX", directorate=directorate, lead_provider=provider, strategy=strategy
    )
    author = world.users[ADMIN]
    f.NoticeKpiFactory(contract=act)
    draft = f.ContractPerformanceNoticeFactory(assessment=f.CompletedAssessmentFactory(contract=act), created_by=author)
    approved = f.ContractPerformanceNoticeFactory(
        assessment=f.CompletedAssessmentFactory(contract=act),
        created_by=author,
        status="approved",
        approved_by=world.users[OFFICER],
        approved_at=datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC),
    )
    published = f.PublishedNoticeFactory(assessment=f.CompletedAssessmentFactory(contract=act), created_by=author)
    alert = f.ContractAlertFactory(contract=contract)
    alert.recipients.set([world.users[OFFICER]])
    return {
        "contractkpi": kpi,
        "kpiresult": f.KpiResultFactory(kpi=kpi),
        "performanceassessment": f.DueAssessmentFactory(contract=contract),
        "act_contract": act,
        "completed_assessment": f.CompletedAssessmentFactory(contract=act),
        "draft_notice": draft,
        "approved_notice": approved,
        "published_notice": published,
        "breach": f.ContractBreachFactory(contract=act),
        "contractalert": alert,
        "officer_alert_rule": f.ContractAlertRuleFactory(user=world.users[OFFICER], contract=contract),
        "officer_rule_to_delete": f.ContractAlertRuleFactory(user=world.users[OFFICER], contract=contract),
    }


def _market_oversight(world: World, directorate, provider, location, contract) -> dict[str, Any]:
    """Issue 15's records: the risk method (version 1, as the migration records it); a due contract return on a
    live contract the officer manages, with its own provider (so the officer is not the world provider's officer:
    its safeguarding concern stays restricted from them); a failure case, a market indicator and a quality
    framework with a tier awarded and one withdrawn; a safeguarding concern and a duty rota entry; an escalation
    on the world's contract with a stage, a trigger and an action, and a governance meeting with it on the agenda."""
    from tests.oversight.escalation_factories import (
        EscalationActionFactory,
        EscalationFactory,
        EscalationStageFactory,
        EscalationTriggerFactory,
        GovernanceMeetingFactory,
    )
    from tests.oversight.market_factories import (
        FailureCaseFactory,
        MarketIndicatorFactory,
        ProviderQualityTierFactory,
        TopTierFactory,
        WithdrawnQualityTierFactory,
    )
    from tests.oversight.returns_factories import ContractReturnFactory, ManagedContractFactory
    from tests.oversight.safeguarding_factories import DutyLeadFactory, SafeguardingConcernFactory
    from tests.providers.risk_factories import method_v1

    managed = ManagedContractFactory(
        reference="RET-MATRIX",
        directorate=directorate,
        lead_provider=f.ProviderFactory(name="Returns Matrix Care Ltd"),
        contract_manager=world.users[OFFICER],
    )
    tier = TopTierFactory()
    stage = EscalationStageFactory(level=1)
    escalation = EscalationFactory(provider=provider, contract=contract, stage=stage)
    meeting = GovernanceMeetingFactory()
    return {
        "escalationstage": stage,
        "escalationtrigger": EscalationTriggerFactory(kind="officer_request", stage=stage),
        "escalation": escalation,
        "escalationaction": EscalationActionFactory(escalation=escalation),
        "governancemeeting": meeting,
        "governanceitem": meeting.items.create(position=1, escalation=escalation, reasons="On the agenda"),
        "riskmethod": method_v1(),
        "contractreturn": ContractReturnFactory(contract=managed),
        "managed_contract": managed,
        "failurecase": FailureCaseFactory(),
        "marketindicator": MarketIndicatorFactory(),
        "qualityframework": tier.framework,
        "providerqualitytier": ProviderQualityTierFactory(tier=tier),
        "withdrawn_providerqualitytier": WithdrawnQualityTierFactory(tier=tier),
        "safeguarding_concern": SafeguardingConcernFactory(provider=provider, contract=None, location=location),
        "safeguardingdutylead": DutyLeadFactory(),
    }


def _records(world: World, contract) -> dict[str, Any]:
    """Issue 20's records: a legal hold on the world's contract and a subject access search by the
    administrator (the retention rules are the migration's defaults)."""
    from records.models import LegalHold, SubjectAccessSearch

    admin = world.users[ADMIN]
    return {
        "legalhold": LegalHold.objects.create(
            app_label="contracts",
            model="contract",
            object_id=contract.pk,
            label=str(contract),
            reason="A claim against the provider is open.",
            placed_by=admin,
            placed_on=datetime.date(2019, 1, 7),
        ),
        "subjectaccesssearch": SubjectAccessSearch.objects.create(
            by=admin, terms="Ann Example", reference="SAR-2019-001", reason="Request from the person"
        ),
    }


def build_world() -> World:
    world = World()
    a = f.DirectorateFactory(name="Adult Care and Community Wellbeing", code="accw")
    b = f.DirectorateFactory(name="Children's Services", code="cs")
    directorates = {"A": a, "B": b}
    for actor, (group, directorate, staff) in PEOPLE.items():
        user = f.UserFactory(
            username=f"matrix-{actor}",
            directorate=directorates[directorate] if directorate else None,
            is_staff=staff,
        )
        user.groups.add(Group.objects.get(name=group))
        world.users[actor] = user
        client = Client()
        client.force_login(user)
        world.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value

    strategy = f.StrategyFactory(name="Carers", directorate=a)
    f.StrategyFactory(name="Children's mental health", directorate=b)
    reports = {
        "draft_report": f.HighlightReportFactory(strategy=strategy, year=2018, quarter=3),
        "submitted_report": f.SubmittedHighlightReportFactory(strategy=strategy, year=2018, quarter=2),
        "board_reviewed_report": f.HighlightReportFactory(
            strategy=strategy, year=2018, quarter=1, status=f.HighlightReport.Status.BOARD_REVIEWED
        ),
        "scrutiny_considered_report": f.HighlightReportFactory(
            strategy=strategy, year=2017, quarter=4, status=f.HighlightReport.Status.SCRUTINY_CONSIDERED
        ),
    }
    provider = f.ProviderFactory(name="Willow Care Ltd")
    location = f.LocationFactory(provider=provider)
    contract = f.ContractFactory(directorate=a, lead_provider=provider, strategy=strategy)
    measure = f.MeasureFactory(strategy=strategy)
    plan = f.ActionPlanFactory(provider=provider)
    committee = f.CommitteeFactory()
    committee.members.add(world.users[COUNCILLOR])
    meeting = f.MeetingFactory(committee=committee, date=datetime.date(2018, 9, 5))

    ready = f.ScrutinyPack.RenderStatus.READY
    draft_pack = f.ScrutinyPackFactory(meeting=meeting, title="Draft pack", render_status=ready)
    draft_pack.file.name = _file("packs/matrix-draft-pack.pdf")
    draft_pack.save()
    published_pack = f.PublishedScrutinyPackFactory(meeting=meeting, title="Published pack", render_status=ready)
    published_pack.file.name = _file("packs/matrix-published-pack.pdf")
    published_pack.save()
    # The draft pack is rendered from what it holds (so it may be published); the published one has its revision.
    from scrutiny.documents import build_pack_document
    from scrutiny.models import PackRevision

    draft_pack.checksum = build_pack_document(draft_pack).checksum
    draft_pack.save()
    revision = PackRevision(
        pack=published_pack,
        number=1,
        file=_file("packs/published/matrix-published-pack-r1.pdf"),
        sha256="0" * 64,
        page_count=1,
        published_at=published_pack.published_at or datetime.datetime(2018, 9, 1, tzinfo=datetime.UTC),
    )
    revision.save()
    from scrutiny.models import ExemptDocument

    exempt = ExemptDocument(
        revision=revision,
        appendix_number=1,
        title="Carers Commissioning Highlight Report",
        exempt_paragraph=3,
        file=_file("packs/exempt/matrix-exempt-appendix-1.pdf"),
        sha256="0" * 64,
        page_count=1,
    )
    exempt.save()
    published_appendix = f.PackAppendixFactory(pack=published_pack, strategy=strategy)
    # The meeting's agenda (published with the pack) and two supplements to the published pack: 1 published,
    # 2 a rendered draft.
    from scrutiny.models import AgendaItem, PackSupplement, SupplementItem

    agenda_item = AgendaItem.objects.create(meeting=meeting, number=1, title="Apologies for absence")
    supplements: dict[str, PackSupplement] = {}
    for number, status in ((1, PackSupplement.Status.PUBLISHED), (2, PackSupplement.Status.DRAFT)):
        folder = "packs/supplements/published" if status == PackSupplement.Status.PUBLISHED else "packs/supplements"
        supplements[status.value] = PackSupplement.objects.create(
            pack=published_pack,
            number=number,
            reason_for_urgency="The report was not ready when the agenda was published.",
            status=status,
            render_status=ready,
            file=_file(f"{folder}/matrix-supplement-{number}.pdf"),
            page_count=1,
            first_page=2 + number - 1,
            sha256="0" * 64 if status == PackSupplement.Status.PUBLISHED else "",
            published_at=datetime.datetime(2018, 9, 2, tzinfo=datetime.UTC) if number == 1 else None,
        )
        late = f.StrategyFactory(name=f"Late item {number}", directorate=a)
        SupplementItem.objects.create(supplement=supplements[status.value], strategy=late, order=1)

    from scrutiny.models import Decision, ReportRender

    decision = Decision.objects.create(
        reference="I017457",
        decision_maker="Executive",
        key_decision=True,
        report_to="Executive",
        report_date=datetime.date(2019, 6, 4),
        subject="Commissioning Strategies",
    )
    decision.strategies.add(strategy)

    for name in ("draft_report", "submitted_report"):
        ReportRender.objects.create(
            report=reports[name], status=ready, file=_file(f"reports/matrix-{name}.pdf"), page_count=1
        )
    imported = default_storage.save("imports/matrix-contracts.csv", ContentFile(b"Reference,Title\n"))

    objects: dict[str, Any] = {
        "strategy": strategy,
        "outcome": f.OutcomeFactory(strategy=strategy),
        "intention": f.IntentionFactory(strategy=strategy),
        "risk": f.StrategyRiskFactory(strategy=strategy),
        **reports,
        "contract": contract,
        "contractchange": f.ContractChangeFactory(contract=contract),
        "pooledbudget": f.PooledBudgetFactory(strategy=strategy, contract=contract),
        "provider": provider,
        "location": location,
        "cqcrating": f.CqcRatingFactory(location=location),
        "riskassessment": f.RiskAssessmentFactory(provider=provider),
        "visit": f.VisitFactory(provider=provider, contract=contract),
        "concern": f.ConcernFactory(provider=provider, contract=contract),
        "sanction": f.SanctionFactory(provider=provider, contract=contract),
        "actionplan": plan,
        "planaction": f.PlanActionFactory(plan=plan),
        "escalationstep": f.EscalationStepFactory(plan=plan),
        "measure": measure,
        "measureresult": f.MeasureResultFactory(measure=measure, year=2018, quarter=2),
        "committee": committee,
        "meeting": meeting,
        "conclusion": f.ScrutinyConclusionFactory(strategy=strategy, meeting=meeting),
        "draft_pack": draft_pack,
        "published_pack": published_pack,
        "decision": decision,
        "forwardplanentry": f.ForwardPlanEntryFactory(reference="FP-MATRIX-1", directorate=a),
        "procurementproject": f.ProcurementProjectFactory(directorate=a),
        **_plan_and_savings(strategy, contract),
        **_two_stage_scrutiny(strategy, committee, meeting),
    }
    from django.contrib.contenttypes.models import ContentType

    from commissioning.models import Document, Notification

    for name in ("strategy", "contract", "visit"):
        record = objects[name]
        objects[f"{name}_document"] = Document.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            file=_file(f"documents/matrix-{name}.pdf"),
            title=f"A document about the {name}",
            original_filename=f"{name}.pdf",
            mime_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            uploaded_by=world.users[ADMIN],
        )
    objects["commissioners_notification"] = Notification.objects.create(
        recipient=world.users[COMMISSIONER],
        kind="matrix.test",
        subject="A notification for the commissioner",
        link="/",
        dedupe_key="matrix-commissioner",
    )
    # A fall in the location's rating (the alert the CQC import would raise) and an officer's finished import.
    from commissioning.models import ImportJob
    from providers.models import CqcRating, CqcRatingAlert

    earlier = CqcRating.objects.create(location=location, published_on=datetime.date(2017, 5, 1), overall="good")
    fallen = CqcRating.objects.create(
        location=location, published_on=datetime.date(2019, 5, 1), overall="requires_improvement"
    )
    objects["cqcratingalert"] = CqcRatingAlert.objects.create(
        location=location,
        rating=fallen,
        previous_rating=earlier,
        drops=[{"question": "overall", "previous": "good", "new": "requires_improvement"}],
    )
    objects["officer_import_job"] = ImportJob.objects.create(
        importer="contracts.imports.import_contracts",
        filename="contracts.csv",
        created_by=world.users[OFFICER],
        status=ImportJob.Status.SUCCEEDED,
        error_count=1,
        error_report="row,column,value,problem\r\n2,Reference,,Enter a reference\r\n",
    )
    objects.update(_procurement_act(world, a, provider, strategy, contract))
    objects.update(_market_oversight(world, a, provider, location, contract))
    objects.update(_records(world, contract))
    world.objects = objects

    # URL kwargs per target: a URL takes the ones its pattern names (pk, strategy_pk, report_pk, ...).
    targets = {name: {"pk": obj.pk} for name, obj in objects.items()}
    targets["strategy"] = {"pk": strategy.pk, "strategy_pk": strategy.pk}
    for part in ("outcome", "intention", "risk", "theme"):
        targets[part] = {"strategy_pk": strategy.pk, "pk": objects[part].pk}
    # A theme's "I" statements: the add page takes the theme as theme_pk.
    targets["theme"]["theme_pk"] = objects["theme"].pk
    targets["statement"] = {"theme_pk": objects["theme"].pk, "pk": objects["statement"].pk}
    for name in reports:
        targets[name] = {"pk": reports[name].pk, "report_pk": reports[name].pk}
    targets["strategy_results"] = {"strategy_pk": strategy.pk, "year": 2018, "quarter": 3}
    # The oversight "record a ..." pages ask which provider first; with ?provider= they show the form itself.
    targets["for_provider"] = {"?": {"provider": provider.pk}}
    targets["draft_pack_file"] = {"path": draft_pack.file.name}
    targets["published_pack_file"] = {"path": published_pack.file.name}
    targets["published_revision"] = {"pk": published_pack.pk, "number": 1}
    targets["published_revision_file"] = {"path": revision.file.name}
    targets["published_appendix"] = {"pk": published_pack.pk, "appendix_pk": published_appendix.pk}
    targets["exempt_document"] = {"pk": exempt.pk}
    targets["exempt_document_file"] = {"path": exempt.file.name}
    targets["agenda_item"] = {"pk": agenda_item.pk}
    for name, state in (("published_supplement", "published"), ("draft_supplement", "draft")):
        targets[name] = {"pk": published_pack.pk, "number": supplements[state].number}
        targets[f"{name}_file"] = {"path": supplements[state].file.name}
    targets["draft_report_file"] = {"path": reports["draft_report"].pdf_render.file.name}
    targets["submitted_report_file"] = {"path": reports["submitted_report"].pdf_render.file.name}
    targets["imported_file"] = {"path": imported}
    # A contract change's page is under its contract; documents are attached to a record by its model's name.
    targets["contractchange"] = {"pk": contract.pk, "change_pk": objects["contractchange"].pk}
    targets["contract_record"] = {"app_label": "contracts", "model_name": "contract", "pk": contract.pk}
    targets["retention_rule"] = {"record_type": "contracts.contract"}
    targets["search_words"] = {"?": {"q": "care"}}
    targets["search_location"] = {"kind": "locations", "pk": objects["location"].pk}
    world.targets = targets
    return world


@contextmanager
def module_world(django_db_blocker, media_root):
    """The world, in a transaction rolled back when the module's tests are done."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media_root)), transaction.atomic():
        world = build_world()
        yield world
        transaction.set_rollback(True)
