"""Decision records (seed 000's Executive report, decision I017457): the services' rules and permissions, the
pages, the API, and the pack that carries one as its Appendix 1 with the highlight reports as its Appendix A."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.test import APIClient

from commissioning import roles
from scrutiny import documents, services
from scrutiny.models import Decision, ScrutinyPack
from tests.factories import (
    HighlightReportFactory,
    MeetingFactory,
    PackAppendixFactory,
    ScrutinyPackFactory,
    StrategyFactory,
    SubmittedHighlightReportFactory,
    UserFactory,
)

from .conftest import STRATEGY_NAMES, make_strategy_with_report, page_texts
from .rendering import mark_rendered

pytestmark = pytest.mark.django_db

JUNE_4 = datetime.date(2019, 6, 4)

# A decision in seed 000's words where they are facts (reference, dates, decision maker), the rest our own.
SEED_DECISION = {
    "reference": "I017457",
    "decision_maker": "Executive",
    "key_decision": True,
    "report_to": "Executive",
    "report_date": JUNE_4,
    "subject": "Commissioning Strategies",
    "summary": "The six remaining commissioning strategies have now been considered by scrutiny.",
    "recommendations": "That the Executive approves the content of the six commissioning strategies.",
    "alternatives_considered": "- Not to approve the strategies' content\n- To approve some of them only",
    "reasons": "Commissioning strategies match services to needs and priorities.",
    "background": "The council commissions for outcomes based on its communities' needs.",
    "equality_implications": "No direct Equality Act implications are expected from approving the content.",
    "jsna_implications": "The JSNA and the JHWS informed the strategies.",
    "crime_and_disorder_implications": "The Public Protection strategy bears directly on section 17.",
    "conclusion": "The Executive is invited to approve the recommendations.",
    "legal_comments": "The council has the power to adopt the strategies.",
    "resource_comments": "No additional budget implications.",
    "local_member_consulted": True,
    "executive_councillor_consulted": False,
    "scrutiny_comments": "The Overview and Scrutiny Management Board considers the report on 30 May 2019.",
    "risks_analysed": True,
    "consultation": "See the body of the report.",
    "on_behalf_of": "Executive Director - Commercial",
    "author": "Senior Commercial Officer",
    "contact": "01522 000000",
}
# The Executive report's sections as seed 000 prints them, in order.
PRINTED_ORDER = [
    "Open report on behalf of Executive Director - Commercial",
    "Report to:",
    "Date:",
    "Subject:",
    "Decision Reference:",
    "Key decision?",
    "Summary:",
    "Recommendation(s):",
    "Alternatives Considered:",
    "Reasons for Recommendation:",
    "1. Background",
    "2. Legal Issues:",
    "Equality Act 2010",
    "Joint Strategic Needs Analysis",
    "Crime and Disorder",
    "3. Conclusion",
    "4. Legal Comments:",
    "5. Resource Comments:",
    "6. Consultation",
    "a) Has Local Member Been Consulted?",
    "b) Has Executive Councillor Been Consulted?",
    "c) Scrutiny Comments:",
    "d) Have Risks and Impact Analysis been carried out?",
    "e) Risks and Impact Analysis:",
    "7. Appendices",
    "8. Background Papers",
    "This report was written by Senior Commercial Officer",
]


def _user(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def _decision(**overrides) -> Decision:
    return Decision.objects.create(**{**SEED_DECISION, **overrides})


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def drafting(commissioner):
    return commissioner


# --- Services: who may, and the rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (roles.COMMISSIONER, True),
        (roles.ADMINISTRATOR, True),
        (roles.CONTRACT_OFFICER, False),
        (roles.SCRUTINY_MEMBER, False),
    ],
)
def test_commissioners_and_administrators_record_decisions_others_may_not(role, allowed, directorate):
    user = _user(role, directorate=directorate)
    strategy = StrategyFactory(name="Carers")

    if allowed:
        decision = services.decision_create(by=user, data=SEED_DECISION, strategies=[strategy])
        assert list(decision.strategies.all()) == [strategy]
        assert decision.history.latest().history_user == user
    else:
        with pytest.raises(PermissionDenied):
            services.decision_create(by=user, data=SEED_DECISION)
        assert not Decision.objects.exists()


@pytest.mark.parametrize("role", [roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER])
def test_officers_and_councillors_read_decisions_but_do_not_change_them(role, directorate):
    user = _user(role, directorate=directorate)
    decision = _decision()

    assert list(Decision.objects.visible_to(user)) == [decision]
    with pytest.raises(PermissionDenied):
        services.decision_update(decision=decision, by=user, data={"subject": "Changed"})
    with pytest.raises(PermissionDenied):
        services.decision_record_outcome(decision=decision, by=user, outcome="approved", decided_on=JUNE_4)


def test_a_decision_needs_its_reference_decision_maker_and_subject(drafting):
    with pytest.raises(ValidationError) as refused:
        services.decision_create(
            by=drafting, data={**SEED_DECISION, "reference": "  ", "decision_maker": "", "subject": ""}
        )

    assert {"reference", "decision_maker", "subject"} <= set(refused.value.message_dict)


def test_each_decision_has_a_reference_of_its_own(drafting):
    _decision(reference="I017457")

    with pytest.raises(ValidationError) as refused:
        services.decision_create(by=drafting, data={**SEED_DECISION, "reference": "i017457 "})

    assert refused.value.message_dict["reference"] == [
        "Decision reference I017457 is already used by “Commissioning Strategies”: each decision has a reference "
        "of its own."
    ]


def test_keeping_its_own_reference_is_not_a_clash(drafting):
    decision = _decision()

    services.decision_update(decision=decision, by=drafting, data={"reference": "I017457", "subject": "New"})

    decision.refresh_from_db()
    assert decision.subject == "New"


def test_a_decision_that_is_decided_has_a_decision_date(drafting):
    with pytest.raises(ValidationError) as refused:
        services.decision_create(by=drafting, data={**SEED_DECISION, "outcome": "approved"})

    assert refused.value.message_dict["decided_on"] == [
        "Enter the date the decision maker decided: a decision that is approved has a decision date."
    ]


def test_a_decision_is_not_decided_before_its_report(drafting):
    with pytest.raises(ValidationError) as refused:
        services.decision_create(
            by=drafting, data={**SEED_DECISION, "outcome": "approved", "decided_on": datetime.date(2019, 6, 3)}
        )

    assert refused.value.message_dict["decided_on"] == [
        "The decision date cannot be before the date of the report (4 June 2019)."
    ]


def test_a_pending_decision_has_no_decision_date(drafting):
    with pytest.raises(ValidationError) as refused:
        services.decision_create(by=drafting, data={**SEED_DECISION, "decided_on": JUNE_4})

    assert "outcome" in refused.value.message_dict


def test_an_unknown_outcome_is_refused_on_its_field(drafting):
    with pytest.raises(ValidationError) as refused:
        services.decision_create(by=drafting, data={**SEED_DECISION, "outcome": "vetoed", "decided_on": JUNE_4})

    assert "outcome" in refused.value.message_dict


def test_recording_the_outcome(drafting):
    decision = _decision()

    services.decision_record_outcome(
        decision=decision, by=drafting, outcome="approved", decided_on=JUNE_4, outcome_notes="Approved as set out."
    )

    decision.refresh_from_db()
    assert (decision.outcome, decision.decided_on, decision.outcome_notes) == (
        "approved",
        JUNE_4,
        "Approved as set out.",
    )


def test_linked_reports_are_reports_of_its_strategies_that_have_left_draft(drafting):
    carers, other = StrategyFactory(name="Carers"), StrategyFactory(name="Wellbeing")
    draft = HighlightReportFactory(strategy=carers)
    with_board = SubmittedHighlightReportFactory(strategy=carers, quarter=2)
    elsewhere = SubmittedHighlightReportFactory(strategy=other)

    with pytest.raises(ValidationError) as refused:
        services.decision_create(by=drafting, data=SEED_DECISION, strategies=[carers], reports=[draft])
    assert "is a draft" in refused.value.message_dict["reports"][0]
    with pytest.raises(ValidationError) as refused:
        services.decision_create(by=drafting, data=SEED_DECISION, strategies=[carers], reports=[elsewhere])
    assert "Wellbeing is not one of them" in refused.value.message_dict["reports"][0]

    decision = services.decision_create(by=drafting, data=SEED_DECISION, strategies=[carers], reports=[with_board])
    assert list(decision.reports.all()) == [with_board]
    # Dropping the strategy of a linked report is refused too: the report would be left unexplained.
    with pytest.raises(ValidationError):
        services.decision_update(decision=decision, by=drafting, data={}, strategies=[other])


def test_an_unknown_field_is_not_written(drafting):
    with pytest.raises(ValueError, match="Not writable here: packs"):
        services.decision_create(by=drafting, data={**SEED_DECISION, "packs": []})


# --- A pack that carries a decision -----------------------------------------------------------------------------


@pytest.fixture
def decision_pack(pack_with_appendices):
    decision = _decision()
    decision.strategies.set([a.strategy for a in pack_with_appendices.appendices.all()])
    pack_with_appendices.decision = decision
    pack_with_appendices.save()
    return pack_with_appendices


def test_the_pack_form_service_sets_and_clears_the_decision(administrator, pack_with_appendices):
    decision = _decision()

    services.pack_update(pack=pack_with_appendices, by=administrator, cover={"decision": decision})
    assert ScrutinyPack.objects.get(pk=pack_with_appendices.pk).decision == decision

    services.pack_update(pack=pack_with_appendices, by=administrator, cover={"decision": None})
    assert ScrutinyPack.objects.get(pk=pack_with_appendices.pk).decision is None


def test_without_a_decision_the_pack_prints_no_executive_report(pack_with_appendices):
    html = documents.build_pack_document(pack_with_appendices).html

    assert "Decision Reference" not in html
    assert "Appendix 1: Specialist Adult Services" in html
    assert "Appendix A" not in html


def test_the_executive_report_prints_its_sections_in_the_seeds_order(decision_pack):
    html = documents.build_pack_document(decision_pack).html
    section = html[html.index('<section class="pdf-appendix pdf-executive-report"') : html.index('id="appendix-a1"')]
    assert "<li>Not to approve the strategies&#x27; content</li><li>To approve some of them only</li>" in section
    text = re.sub(r"<[^>]+>", " ", section)
    executive = re.sub(r"\s+", " ", text).replace("&#x27;", "'")
    assert executive.strip().startswith("Appendix 1: Report to the Executive: Commissioning Strategies")

    positions = [executive.find(heading) for heading in PRINTED_ORDER]
    assert -1 not in positions, [h for h, p in zip(PRINTED_ORDER, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert "Decision Reference: I017457" in executive
    assert "Key decision? Yes" in executive
    assert "a) Has Local Member Been Consulted? Yes" in executive
    assert "b) Has Executive Councillor Been Consulted? No" in executive
    # The climate section is printed only when it says something.
    assert "Climate" not in executive


def test_cover_and_executive_report_print_the_shared_sections_the_same_way(decision_pack):
    decision_pack.background_papers = "The 2018 commissioning framework."
    decision_pack.save()
    decision_pack.decision.background_papers = "The 2018 commissioning framework."
    decision_pack.decision.save()

    html = documents.build_pack_document(decision_pack).html

    cover, executive = html.split('id="appendix-1"', 1)
    for snippet in ('<th scope="row">Report to:</th>', "<p>The 2018 commissioning framework.</p>"):
        assert snippet in cover
        assert snippet in executive
    assert "Background Papers</h2>" in cover
    assert "8. Background Papers</h2>" in executive
    assert "Decision Reference:</th>" in executive
    assert "Decision Reference:</th>" not in cover  # the cover names the reference in its appendices, not its header


def test_the_cover_lists_the_executive_report_as_appendix_1_and_the_reports_as_its_appendix_a(decision_pack):
    html = documents.build_pack_document(decision_pack).html

    assert (
        "Report on Commissioning Strategies to be presented to the Executive at its meeting on 4 June 2019 "
        "(Decision Reference I017457)"
    ) in html
    for number, name in enumerate(STRATEGY_NAMES, start=1):
        assert f"Appendix A{number}: {name}" in html
    assert "Appendix A to Appendix 1: Highlight Reports" in html


def test_editing_the_decision_makes_the_rendered_pack_stale(administrator, decision_pack):
    mark_rendered(decision_pack)

    services.decision_update(decision=decision_pack.decision, by=administrator, data={"summary": "A new summary."})

    assert documents.build_pack_document(decision_pack).checksum != decision_pack.checksum
    with pytest.raises(ValidationError, match="changed since it was rendered"):
        services.pack_publish(pack=decision_pack, by=administrator)


def test_editing_a_published_packs_decision_leaves_the_revision_as_printed(administrator, decision_pack):
    mark_rendered(decision_pack, b"%PDF-1.7 the pack as published")
    revision = services.pack_publish(pack=decision_pack, by=administrator)
    with default_storage.open(revision.file.name, "rb") as handle:
        published = handle.read()

    services.decision_update(decision=decision_pack.decision, by=administrator, data={"summary": "Amended."})

    assert services.decision_packs_published(decision_pack.decision) == [decision_pack]
    with default_storage.open(revision.file.name, "rb") as handle:
        assert handle.read() == published
    revision.refresh_from_db()
    assert revision.sha256 == __import__("hashlib").sha256(published).hexdigest()
    with pytest.raises(services.RenderNotAllowed):
        services.pack_request_render(pack=decision_pack, by=administrator)
    # The change is printed by the pack's next revision, once rendered again.
    services.pack_revise(pack=decision_pack, by=administrator)
    with pytest.raises(ValidationError, match="changed since it was rendered"):
        services.pack_publish(pack=decision_pack, by=administrator, change_note="The decision's summary.")


def test_a_pack_with_a_decision_prints_appendix_1_then_appendix_a_on_the_contents_pages(decision_pack):
    services.run_pack_render(decision_pack.pk)
    decision_pack.refresh_from_db()
    with default_storage.open(decision_pack.file.name, "rb") as handle:
        texts = page_texts(handle.read())

    def first_page(pattern: str) -> int:
        return next(n for n, text in enumerate(texts, start=1) if re.match(pattern, text.strip()))

    executive = first_page(r"Appendix 1: Report to the Executive")
    starts = [first_page(rf"Appendix A{n}: {name}") for n, name in enumerate(STRATEGY_NAMES, start=1)]
    assert executive < starts[0] < starts[1] < starts[2]
    assert all(page % 2 == 1 for page in [executive, *starts])  # each on a right-hand page
    # The Executive report's sections, in order, on its pages.
    report = " ".join(texts[executive - 1 : starts[0] - 1])
    report = re.sub(r"\s+", " ", report)
    positions = [report.find(heading) for heading in PRINTED_ORDER]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "Decision Reference: I017457" in report
    # The contents page gives the page each appendix starts on.
    contents = re.sub(r"\s+", " ", texts[first_page("Contents") - 1])
    listed_executive = re.search(r"Appendix 1: Report to the Executive.*?Page (\d+)", contents)
    assert listed_executive
    assert int(listed_executive.group(1)) == executive
    listed = [int(n) for n in re.findall(r"Appendix A\d: .*? Commissioning Highlight Report[ .]*Page (\d+)", contents)]
    assert listed == starts
    assert contents.index("Appendix 1:") < contents.index("Appendix A to Appendix 1") < contents.index("Appendix A1:")


# --- Pages --------------------------------------------------------------------------------------------------


def test_councillors_read_the_list_and_a_decision_and_may_not_record_one(client_as_scrutiny):
    decision = _decision(outcome="approved", decided_on=JUNE_4)

    listing = client_as_scrutiny.get(reverse("scrutiny:decisions"))
    page = client_as_scrutiny.get(decision.get_absolute_url())

    assert listing.status_code == page.status_code == 200
    assert "I017457" in listing.content.decode()
    body = page.content.decode()
    for heading in ("Recommendation(s)", "Alternatives Considered", "2. Legal Issues", "6. Consultation"):
        assert heading in body
    assert "Edit decision" not in body
    assert client_as_scrutiny.get(reverse("scrutiny:decision_create")).status_code == 403
    assert client_as_scrutiny.get(reverse("scrutiny:decision_edit", args=[decision.pk])).status_code == 403


def test_the_list_filters_by_outcome_key_decision_and_year(client_as_officer):
    _decision(reference="I017457", outcome="approved", decided_on=JUNE_4)
    _decision(reference="I018001", key_decision=False, report_date=datetime.date(2020, 1, 7))
    _decision(reference="I017900", report_date=datetime.date(2019, 11, 5))

    def listed(query: str) -> set[str]:
        body = client_as_officer.get(reverse("scrutiny:decisions") + query).content.decode()
        return set(re.findall(r"I0\d{5}", body))

    assert listed("") == {"I017457", "I018001", "I017900"}
    assert listed("?outcome=approved") == {"I017457"}
    assert listed("?key_decision=false") == {"I018001"}
    assert listed("?year=2019") == {"I017457", "I017900"}
    assert listed("?year=2019&outcome=pending") == {"I017900"}


def test_a_filter_that_cannot_be_applied_is_said_and_left_out(client_as_officer):
    _decision()

    response = client_as_officer.get(reverse("scrutiny:decisions") + "?outcome=vetoed&year=twenty")

    body = response.content.decode()
    assert response.status_code == 200
    assert "I017457" in body
    assert "filter was not applied" in body


def test_the_list_and_a_decision_run_constant_queries(client_as_commissioner, django_assert_max_num_queries):
    strategies = [StrategyFactory(name=f"Strategy {n}") for n in range(5)]
    for number in range(20):
        decision = _decision(reference=f"I0{number:05d}")
        decision.strategies.set(strategies)
    meeting = MeetingFactory(date=datetime.date(2019, 5, 30))
    for number in range(3):
        ScrutinyPackFactory(meeting=meeting, title=f"Pack {number}", decision=decision)

    with django_assert_max_num_queries(10):
        assert client_as_commissioner.get(reverse("scrutiny:decisions")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client_as_commissioner.get(decision.get_absolute_url()).status_code == 200


def _form_data(**overrides) -> dict:
    data = {
        **{k: v for k, v in SEED_DECISION.items() if not isinstance(v, bool | datetime.date)},
        "key_decision": "True",
        "local_member_consulted": "True",
        "executive_councillor_consulted": "None",
        "risks_analysed": "False",
        "report_date_0": "4",
        "report_date_1": "6",
        "report_date_2": "2019",
        "outcome": "pending",
    }
    data.update(overrides)
    return data


def test_a_commissioner_records_a_decision_on_the_page(client_as_commissioner):
    strategy = StrategyFactory(name="Carers")

    response = client_as_commissioner.post(reverse("scrutiny:decision_create"), _form_data(strategies=[strategy.pk]))

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    assert (decision.key_decision, decision.local_member_consulted, decision.executive_councillor_consulted) == (
        True,
        True,
        None,
    )
    assert decision.risks_analysed is False
    assert decision.report_date == JUNE_4
    assert list(decision.strategies.all()) == [strategy]


def test_the_page_shows_the_services_refusal_on_its_field(client_as_commissioner):
    _decision()

    response = client_as_commissioner.post(
        reverse("scrutiny:decision_create"),
        _form_data(outcome="approved", reference="I017457"),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Error:" in body
    assert "already used by" in body
    assert "a decision that is approved has a decision date" in body
    assert Decision.objects.count() == 1


def test_the_edit_page_warns_when_a_published_pack_prints_the_decision(client_as_admin, administrator, decision_pack):
    mark_rendered(decision_pack)
    services.pack_publish(pack=decision_pack, by=administrator)
    url = reverse("scrutiny:decision_edit", args=[decision_pack.decision.pk])

    assert "Its members keep the revision they were sent" in client_as_admin.get(url).content.decode()
    response = client_as_admin.post(url, _form_data(summary="Amended."), follow=True)
    body = response.content.decode()
    assert "until the pack&#x27;s next revision prints the change" in body
    assert "Prints an earlier version" in body


def test_the_pack_form_offers_the_decision(client_as_admin, pack_with_appendices):
    decision = _decision()
    url = reverse("scrutiny:pack_edit", args=[pack_with_appendices.pk])
    form = client_as_admin.get(url).content.decode()
    assert "I017457: Commissioning Strategies" in form

    data = {
        "title": pack_with_appendices.title,
        "report_to": pack_with_appendices.report_to,
        "report_date_0": "30",
        "report_date_1": "5",
        "report_date_2": "2019",
        "subject": pack_with_appendices.subject,
        "risks_analysed": "unknown",
        "decision": decision.pk,
        **{f"appendix_{a.strategy_id}": a.order for a in pack_with_appendices.appendices.all()},
    }
    response = client_as_admin.post(url, data)

    assert response.status_code == 302
    pack_with_appendices.refresh_from_db()
    assert pack_with_appendices.decision == decision
    assert "I017457" in client_as_admin.get(decision.get_absolute_url()).content.decode()


# --- API ----------------------------------------------------------------------------------------------------


def _api_body(**overrides) -> dict:
    body = {**SEED_DECISION, "report_date": "2019-06-04"}
    body.update(overrides)
    return body


def test_the_api_records_a_decision_and_lists_it_with_filters(commissioner):
    strategy = StrategyFactory(name="Carers")
    client = _api(commissioner)

    created = client.post("/api/v1/decisions/", _api_body(strategies=[strategy.pk]), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["reference"] == "I017457"
    assert created.json()["strategies"] == [strategy.pk]
    _decision(reference="I018001", key_decision=False, report_date=datetime.date(2020, 1, 7))

    def references(query: str) -> set[str]:
        return {d["reference"] for d in client.get(f"/api/v1/decisions/{query}").json()["results"]}

    assert references("") == {"I017457", "I018001"}
    assert references("?key_decision=true") == {"I017457"}
    assert references("?year=2020") == {"I018001"}
    assert references("?outcome=approved") == set()
    assert client.get("/api/v1/decisions/?outcome=vetoed").status_code == 400
    assert client.get("/api/v1/decisions/?year=twenty").status_code == 400


def test_the_api_refuses_what_the_service_refuses_on_the_same_field(commissioner):
    _decision()
    client = _api(commissioner)

    clash = client.post("/api/v1/decisions/", _api_body(), format="json")
    undated = client.post("/api/v1/decisions/", _api_body(reference="I019999", outcome="approved"), format="json")
    missing = client.post("/api/v1/decisions/", {"reference": "I019998"}, format="json")

    assert clash.status_code == undated.status_code == missing.status_code == 400
    assert "already used by" in clash.json()["errors"]["reference"][0]
    assert "has a decision date" in undated.json()["errors"]["decided_on"][0]
    assert {"report_to", "report_date", "subject", "decision_maker"} <= set(missing.json()["errors"])


def test_the_api_records_the_outcome_and_changes_a_decision(commissioner):
    decision = _decision()
    client = _api(commissioner)

    early = client.post(
        f"/api/v1/decisions/{decision.pk}/outcome/", {"outcome": "approved", "decided_on": "2019-06-01"}, format="json"
    )
    decided = client.post(
        f"/api/v1/decisions/{decision.pk}/outcome/", {"outcome": "approved", "decided_on": "2019-06-04"}, format="json"
    )
    patched = client.patch(f"/api/v1/decisions/{decision.pk}/", {"outcome_notes": "As recommended."}, format="json")

    assert early.status_code == 400
    assert "decided_on" in early.json()["errors"]
    assert decided.status_code == 200
    assert decided.json()["outcome"] == "approved"
    assert patched.status_code == 200
    assert patched.json()["outcome_notes"] == "As recommended."


def test_councillors_read_decisions_over_the_api_and_write_none(scrutiny_member):
    decision = _decision()
    client = _api(scrutiny_member)

    assert client.get(f"/api/v1/decisions/{decision.pk}/").status_code == 200
    assert client.post("/api/v1/decisions/", _api_body(reference="I1"), format="json").status_code == 403
    assert client.patch(f"/api/v1/decisions/{decision.pk}/", {"subject": "x"}, format="json").status_code == 403


def test_a_reader_sees_only_the_packs_they_may_open(scrutiny_member, pack_with_appendices):
    decision = _decision()
    pack_with_appendices.decision = decision
    pack_with_appendices.save()

    body = _api(scrutiny_member).get(f"/api/v1/decisions/{decision.pk}/").json()

    assert body["packs"] == []  # the pack is a draft: not theirs to know of


def test_the_api_lists_decisions_in_constant_queries(commissioner, django_assert_max_num_queries):
    strategies = [StrategyFactory(name=f"Strategy {n}") for n in range(4)]
    for number in range(15):
        _decision(reference=f"I0{number:05d}").strategies.set(strategies)

    with django_assert_max_num_queries(10):
        response = _api(commissioner).get("/api/v1/decisions/")
    assert response.status_code == 200
    assert response.json()["count"] == 15


def test_the_schema_documents_the_decisions_endpoint(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)

    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/decisions/"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/decisions/{id}/"])
    assert "post" in paths["/api/v1/decisions/{id}/outcome/"]
    parameters = {p["name"] for p in paths["/api/v1/decisions/"]["get"]["parameters"]}
    assert {"outcome", "key_decision", "year"} <= parameters


def test_the_demo_pack_strategies_can_carry_a_decision(administrator, db):
    # A pack of two strategies whose decision links both: the Executive report lists both in its Appendix A.
    meeting = MeetingFactory(date=datetime.date(2019, 5, 30))
    pack = ScrutinyPackFactory(meeting=meeting)
    for order, name in enumerate(["Carers", "Public Protection"], start=1):
        strategy, _ = make_strategy_with_report(name, contracts=0, measures=0)
        PackAppendixFactory(pack=pack, strategy=strategy, order=order)
    decision = services.decision_create(by=administrator, data=SEED_DECISION)
    services.pack_update(pack=pack, by=administrator, cover={"decision": decision})

    html = documents.build_pack_document(pack).html

    assert "Its Appendix A holds the highlight reports, Appendix A1 to Appendix A2." in html
    assert "<li>Appendix A1: Carers</li><li>Appendix A2: Public Protection</li>" in html


def test_the_quick_preview_lays_the_executive_report_out_as_a_part_of_its_own(decision_pack):
    from scrutiny import parallel

    split = parallel.split_pack_html(documents.build_pack_document(decision_pack).html)

    assert split.anchors == ["appendix-1", "appendix-a1", "appendix-a2", "appendix-a3"]
    assert "Decision Reference" in split.appendices[0]
