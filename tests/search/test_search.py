"""The search across everything: what each role finds, that the index follows the records, and that the
number of queries does not grow with the hits."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning import roles
from commissioning.models import RecordRead
from contracts.models import Contract
from oversight.models import Concern
from search import indexing
from search.models import SearchEntry
from search.selectors import search
from strategies import services as strategy_services
from strategies.models import HighlightReport
from tests import factories as f

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
PHRASE = "dementia friendly neighbourhoods"


def _ids(results, kind):
    return [hit.id for group in results if group.key == kind for hit in group.hits]


def _user(role, **kwargs):
    user = f.UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


# --- Highlight reports: draft visibility ------------------------------------------------------------------


def test_a_councillor_finds_a_phrase_from_a_report_gone_to_scrutiny_but_not_from_a_draft(scrutiny_member):
    published = f.ApprovedHighlightReportFactory(summary=f"We piloted {PHRASE} in Boston.")
    draft = f.HighlightReportFactory(summary=f"Draft: {PHRASE} in Lincoln.", quarter=2)
    indexing.rebuild()

    found = _ids(search(user=scrutiny_member, q=PHRASE), "reports")

    assert found == [published.pk]
    assert draft.pk not in found


def test_a_councillor_does_not_find_a_report_still_with_the_officers_board(scrutiny_member):
    # "Submitted" is with the Commissioning and Commercial Board: councillors read it once it goes to scrutiny.
    f.SubmittedHighlightReportFactory(summary=f"Submitted: {PHRASE}.")
    indexing.rebuild()

    assert _ids(search(user=scrutiny_member, q=PHRASE), "reports") == []


def test_a_commissioner_finds_the_draft_too(commissioner):
    published = f.ApprovedHighlightReportFactory(summary=f"We piloted {PHRASE}.")
    draft = f.HighlightReportFactory(summary=f"Draft: {PHRASE}.", quarter=2)
    indexing.rebuild()

    assert sorted(_ids(search(user=commissioner, q=PHRASE), "reports")) == sorted([published.pk, draft.pk])


def test_a_councillor_finds_no_contract_provider_or_concern(scrutiny_member):
    provider = f.ProviderFactory(name="Fenland Care Homes Ltd")
    f.ContractFactory(title="Fenland residential care", lead_provider=provider)
    f.ConcernFactory(provider=provider, summary="Fenland staffing concern")
    indexing.rebuild()

    results = search(user=scrutiny_member, q="Fenland")

    assert sum(group.count for group in results) == 0


# --- Safeguarding: need to know, and every read recorded ---------------------------------------------------


@pytest.fixture
def safeguarding_world(db):
    provider = f.ProviderFactory(name="Wolds View Care Ltd")
    manager = _user(roles.CONTRACT_OFFICER, username="manager")
    lead = _user(roles.CONTRACT_OFFICER, username="lead")
    lead.groups.add(Group.objects.get(name=roles.SAFEGUARDING_LEAD))
    stranger = _user(roles.CONTRACT_OFFICER, username="stranger")
    f.ContractFactory(lead_provider=provider, contract_manager=manager, status=Contract.Status.LIVE)
    concern = f.ConcernFactory(
        provider=provider, kind=Concern.Kind.SAFEGUARDING, summary="Unexplained bruising on a resident's arm."
    )
    ordinary = f.ConcernFactory(provider=provider, summary="Unexplained gaps in the bruising chart audit.")
    indexing.rebuild()
    return {"concern": concern, "ordinary": ordinary, "manager": manager, "lead": lead, "stranger": stranger}


def test_an_unassigned_officer_does_not_find_a_safeguarding_concern(safeguarding_world, client):
    world = safeguarding_world
    assert _ids(search(user=world["stranger"], q="bruising"), "concerns") == [world["ordinary"].pk]

    client.force_login(world["stranger"])
    page = client.get(reverse("search:search"), {"q": "bruising"})
    api = client.get("/api/v1/search/", {"q": "bruising"})

    assert "resident&#x27;s arm" not in page.content.decode()
    assert world["concern"].pk not in [hit["id"] for hit in api.json()["results"] if hit["type"] == "concerns"]
    assert not RecordRead.objects.exists()


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_the_contract_manager_and_the_safeguarding_lead_find_it_and_the_read_is_recorded(
    safeguarding_world, client, who
):
    world = safeguarding_world
    client.force_login(world[who])

    page = client.get(reverse("search:search"), {"q": "bruising"})
    api = client.get("/api/v1/search/", {"q": "bruising"})

    assert page.status_code == 200
    assert world["concern"].get_absolute_url() in page.content.decode()
    assert world["concern"].pk in [hit["id"] for hit in api.json()["results"] if hit["type"] == "concerns"]
    reads = RecordRead.objects.filter(user=world[who], model="concern", object_id=world["concern"].pk)
    assert sorted(reads.values_list("via", flat=True)) == ["api", "page"]
    # The ordinary concern shown beside it is not a restricted read.
    assert not RecordRead.objects.filter(object_id=world["ordinary"].pk).exists()


# --- The index follows the records ------------------------------------------------------------------------


def test_the_index_follows_an_edit_through_a_service_and_a_delete(commissioner, django_capture_on_commit_callbacks):
    strategy = f.StrategyFactory(directorate=commissioner.directorate, purpose="Carers' breaks in Skegness.")
    indexing.rebuild()
    assert _ids(search(user=commissioner, q="Skegness"), "strategies") == [strategy.pk]

    with django_capture_on_commit_callbacks(execute=True):
        strategy_services.strategy_update(
            strategy=strategy, by=commissioner, data={"purpose": "Carers' breaks in Gainsborough."}
        )

    assert _ids(search(user=commissioner, q="Skegness"), "strategies") == []
    assert _ids(search(user=commissioner, q="Gainsborough"), "strategies") == [strategy.pk]

    with django_capture_on_commit_callbacks(execute=True):
        strategy.delete()

    assert _ids(search(user=commissioner, q="Gainsborough"), "strategies") == []
    assert not SearchEntry.objects.filter(object_id=strategy.pk, kind="strategies").exists()


def test_a_new_record_is_found_once_its_save_commits(contract_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        provider = f.ProviderFactory(name="Marsh Lane Homecare")

    assert _ids(search(user=contract_officer, q="Marsh Lane"), "providers") == [provider.pk]


def test_rebuild_search_index_command_indexes_every_type(contract_officer):
    from django.core.management import call_command

    f.ContractFactory(title="Stroke rehabilitation")
    SearchEntry.objects.all().delete()

    call_command("rebuild_search_index", "--batch-size", "2")

    assert SearchEntry.objects.filter(kind="contracts").count() == Contract.objects.count()
    assert SearchEntry.objects.filter(kind="providers").exists()
    assert _ids(search(user=contract_officer, q="rehabilitation"), "contracts")


# --- Queries constant --------------------------------------------------------------------------------------


def _riverside(n):
    for _ in range(n):
        provider = f.ProviderFactory(name="Riverside Care")
        f.ContractFactory(title="Riverside homecare", lead_provider=provider)
        f.VisitFactory(provider=provider, findings="Riverside visit")
        f.ConcernFactory(provider=provider, summary="Riverside concern", kind=Concern.Kind.SERIOUS_INCIDENT)
    indexing.rebuild()


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"q": "Riverside"}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/search/", "/api/v1/search/"])
def test_search_runs_the_same_number_of_queries_for_1_or_30_hits(client_as_officer, django_assert_max_num_queries, url):
    _riverside(1)
    client_as_officer.get(url, {"q": "Riverside"})  # warm the session and the content types
    one = _queries(client_as_officer, url)
    _riverside(29)
    thirty = _queries(client_as_officer, url)

    assert thirty == one
    # One query per type, the restricted reads recorded (one read, one insert), and the request's own.
    with django_assert_max_num_queries(20):
        client_as_officer.get(url, {"q": "Riverside"})


# --- Page and API agree; bad words refused -----------------------------------------------------------------


def test_page_and_api_give_the_same_results(client_as_officer):
    for n in range(3):
        provider = f.ProviderFactory(name=f"Hartsholme Care {n}")
        f.ContractFactory(title=f"Hartsholme day service {n}", lead_provider=provider)
    indexing.rebuild()

    page = client_as_officer.get(reverse("search:search"), {"q": "Hartsholme"})
    api = client_as_officer.get("/api/v1/search/", {"q": "Hartsholme"}).json()

    on_page = sorted((hit.kind, hit.id) for group in page.context["results"] for hit in group.hits)
    in_api = sorted((hit["type"], hit["id"]) for hit in api["results"])
    assert on_page == in_api
    assert {kind for kind, _ in in_api} == {"providers", "contracts"}
    assert api["count"] == 6


def test_see_all_pages_one_type(client_as_officer):
    for n in range(7):
        f.ProviderFactory(name=f"Ermine Care {n}")
    indexing.rebuild()

    everything = client_as_officer.get(reverse("search:search"), {"q": "Ermine"})
    one_type = client_as_officer.get(reverse("search:search"), {"q": "Ermine", "type": "providers"})

    assert "See all 7 providers" in everything.content.decode()
    assert len(one_type.context["results"][0].hits) == 7


@pytest.mark.parametrize(("q", "message"), [("", "Enter words to search for."), ("x" * 201, "200 characters")])
def test_no_words_or_too_many_are_refused_with_a_clear_message(client_as_officer, q, message):
    api = client_as_officer.get("/api/v1/search/", {"q": q})
    page = client_as_officer.get(reverse("search:search"), {"q": q})

    assert api.status_code == 400
    assert message in api.json()["errors"]["q"][0]
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "govuk-error-summary" in page.content.decode()


def test_an_unknown_type_is_refused(client_as_officer):
    response = client_as_officer.get("/api/v1/search/", {"q": "care", "type": "everything"})
    assert response.status_code == 400
    assert "type" in response.json()["errors"]


def test_search_needs_signing_in(client):
    assert client.get(reverse("search:search"), {"q": "care"}).status_code == 302
    assert client.get("/api/v1/search/", {"q": "care"}).status_code in (401, 403)


def test_a_snippet_is_escaped_and_only_the_match_marked(contract_officer):
    f.ProviderFactory(name="Tealby Care", address="<script>alert('x')</script> Tealby Road")
    indexing.rebuild()

    [hit] = [h for group in search(user=contract_officer, q="Tealby") for h in group.hits]

    # PostgreSQL's headline drops the tag, SQLite's snippet escapes it: neither lets it through.
    assert "<script" not in hit.snippet
    assert "alert(&#x27;x&#x27;)" in hit.snippet
    assert "<mark>Tealby</mark>" in hit.snippet


def test_a_location_result_opens_its_provider_page(client_as_officer):
    location = f.LocationFactory(name="Ancaster Court")
    indexing.rebuild()

    api = client_as_officer.get("/api/v1/search/", {"q": "Ancaster"}).json()
    [hit] = [h for h in api["results"] if h["type"] == "locations"]
    response = client_as_officer.get(hit["url"])

    assert response.status_code == 302
    assert response.url == location.provider.get_absolute_url()


# --- PostgreSQL: ranking and highlighted snippets ----------------------------------------------------------


@pytest.mark.skipif(not POSTGRES, reason="Full-text ranking and ts_headline are PostgreSQL's; SQLite uses contains.")
def test_postgresql_ranks_a_title_match_above_a_text_match_and_highlights_stems(contract_officer):
    in_text = f.ProviderFactory(name="Willow Homes", address="Near the commissioning offices")
    in_title = f.ProviderFactory(name="Commissioning Support Homes")
    indexing.rebuild()

    [providers] = [g for g in search(user=contract_officer, q="commissioned") if g.key == "providers"]

    assert [hit.id for hit in providers.hits] == [in_title.pk, in_text.pk]
    assert providers.hits[0].rank > providers.hits[1].rank
    # English stemming: "commissioned" matches "commissioning", and the snippet marks it.
    assert "<mark>commissioning</mark>" in providers.hits[1].snippet


@pytest.mark.skipif(not POSTGRES, reason="websearch_to_tsquery is PostgreSQL's.")
def test_postgresql_web_search_phrases_and_exclusions(contract_officer):
    both = f.ProviderFactory(name="Sleaford Care", address="respite beds and day care")
    f.ProviderFactory(name="Sleaford Lodge", address="day respite")
    indexing.rebuild()

    [providers] = [g for g in search(user=contract_officer, q='"respite beds" Sleaford -Lodge') if g.key == "providers"]

    assert [hit.id for hit in providers.hits] == [both.pk]


@pytest.mark.skipif(not POSTGRES, reason="The GIN index exists on PostgreSQL only.")
def test_postgresql_search_vector_has_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchentry'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert any("gin" in d.lower() and "search_vector" in d for d in definitions)


def test_highlight_report_entry_reads_its_narrative():
    report = f.ApprovedHighlightReportFactory(board_comments="The board asked for carers' figures.")
    indexing.rebuild()
    entry = SearchEntry.objects.get(kind="reports", object_id=report.pk)
    assert "carers' figures" in entry.body
    assert entry.title == str(HighlightReport.objects.get(pk=report.pk))


def _document_on(record, title, by):
    from django.contrib.contenttypes.models import ContentType

    from commissioning.models import Document

    return Document.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        file="documents/search-test.pdf",
        title=title,
        original_filename="plan.pdf",
        mime_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=by,
    )


def test_a_document_is_found_by_whoever_sees_its_record(safeguarding_world, scrutiny_member):
    world = safeguarding_world
    on_concern = _document_on(world["concern"], "Body map of the bruising", world["manager"])
    on_contract = _document_on(f.ContractFactory(), "Bruising protocol variation letter", world["manager"])
    indexing.rebuild(keys=["documents"])

    assert sorted(_ids(search(user=world["manager"], q="bruising"), "documents")) == sorted(
        [on_concern.pk, on_contract.pk]
    )
    # The safeguarding concern's documents are as need-to-know as the concern; councillors see no contract.
    assert _ids(search(user=world["stranger"], q="bruising"), "documents") == [on_contract.pk]
    assert _ids(search(user=scrutiny_member, q="bruising"), "documents") == []


def test_a_page_past_the_last_anyone_may_ask_for_is_refused_naming_it(client_as_commissioner):
    # schemathesis found this: page=10499724803021004800 made the database's OFFSET overflow (a 500).
    api = client_as_commissioner.get(
        "/api/v1/search/", {"q": "care", "type": "providers", "page": "10499724803021004800"}
    )
    page = client_as_commissioner.get(reverse("search:search"), {"q": "care", "type": "providers", "page": "99999"})

    assert api.status_code == 400
    assert "page" in api.json()["errors"]
    assert "There is a problem" in page.content.decode()
    assert "Ask for page 10,000 or before." in page.content.decode()
    assert (
        client_as_commissioner.get("/api/v1/search/", {"q": "care", "type": "providers", "page": 10_000}).status_code
        == 200
    )
