"""The OCDS validator: the official schemas from ../shared/standards/, extensions merged as JSON Merge Patches
(RFC 7386), the package's reference to the release schema resolved locally."""

from pathlib import Path

import pytest
from django.conf import settings

from opendata import schema
from opendata.schemas import performance_failures

# The tests read the official files themselves, never the project's copy.
OFFICIAL = Path(settings.BASE_DIR).parent / "shared" / "standards"


def validate(package):
    return schema.validate_package(package, folder=OFFICIAL)


def _package(**release):
    return {
        "uri": "https://example.org/ocds.json",
        "version": "1.1",
        "publishedDate": "2019-04-01T00:00:00+01:00",
        "publisher": {"name": "Lincolnshire County Council"},
        "extensions": [performance_failures.URL],
        "releases": [
            {
                "ocid": "ocds-lcc001-1",
                "id": "ocds-lcc001-1-1",
                "date": "2019-04-01T00:00:00Z",
                "tag": ["contract"],
                "initiationType": "tender",
                **release,
            }
        ],
    }


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # Examples from RFC 7386, appendix A.
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7386(target, patch, result):
    assert schema.merge_patch(target, patch) == result


def test_the_bundled_copies_are_the_official_files():
    for relative in (
        "ocds-1.1.5/release-schema.json",
        "ocds-1.1.5/release-package-schema.json",
        "ocds-1.1.5/LICENSE",
        "ocds-extensions/uk/release-schema.json",
        "ocds-extensions/uk/extension.json",
        "ocds-extensions/uk/LICENSE",
    ):
        assert (schema.BUNDLED_DIR / relative).read_bytes() == (OFFICIAL / relative).read_bytes(), relative


def test_the_performance_failures_patch_has_the_documented_fields_and_types():
    release = schema.release_schema(extensions=(performance_failures.URL,), folder=OFFICIAL)
    failure = release["definitions"]["PerformanceFailure"]
    types = {name: spec.get("type") for name, spec in failure["properties"].items()}

    assert failure["required"] == ["id"]
    assert types == {
        "id": ["string"],
        "period": None,  # an OCDS Period, by reference
        "category": ["string", "null"],
        "events": ["number", "null"],
        "penaltyContracted": ["string", "null"],
        "penaltyImposed": ["string", "null"],
        "penaltyPaid": ["boolean", "null"],
    }
    assert failure["properties"]["period"] == {"title": "Period", "$ref": "#/definitions/Period"}
    assert release["definitions"]["Implementation"]["properties"]["performanceFailures"]["minItems"] == 1


def test_the_uk_extension_adds_to_the_performance_failure_after_its_own_extension():
    release = schema.release_schema(extensions=(performance_failures.URL, schema.UK_EXTENSION_URL), folder=OFFICIAL)
    properties = release["definitions"]["PerformanceFailure"]["properties"]

    assert {"id", "penaltyImposed", "penaltyType", "penaltyValue", "suppliers"} <= set(properties)
    assert "vcse" in release["definitions"]["Organization"]["properties"]["details"]["properties"]


def test_a_valid_package_has_no_errors():
    assert validate(_package()) == []


def test_an_empty_performance_failures_list_is_an_error():
    package = _package(contracts=[{"id": "1", "awardID": "1", "implementation": {"performanceFailures": []}}])

    (error,) = validate(package)
    assert error.path == "releases/0/contracts/0/implementation/performanceFailures"


def test_without_the_extension_declared_the_core_schema_alone_applies():
    package = _package(contracts=[{"id": "1", "awardID": "1", "implementation": {"performanceFailures": []}}])
    package["extensions"] = []

    assert validate(package) == []


def test_an_extension_with_no_schema_held_is_reported_not_skipped():
    package = _package()
    package["extensions"] = ["https://example.org/unknown/extension.json"]

    (error,) = validate(package)
    assert error.path == "extensions"
    assert "https://example.org/unknown/extension.json" in error.message


def test_dates_must_be_rfc_3339_date_times():
    (error,) = validate(_package(date="01/04/2019"))
    assert error.path == "releases/0/date"


def test_the_validator_reads_the_configured_folder_or_else_the_bundled_copy(settings, tmp_path):
    settings.OCDS_STANDARDS_DIR = OFFICIAL
    assert schema.standards_dir() == OFFICIAL
    settings.OCDS_STANDARDS_DIR = tmp_path / "missing"
    assert schema.standards_dir() == schema.BUNDLED_DIR
    assert schema.validate_package(_package(), folder=schema.BUNDLED_DIR) == []
