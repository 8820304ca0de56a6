"""JSON Merge Patch for the OCDS Performance Failures extension (open-contracting-extensions/
ocds_performance_failures_extension).

WRITTEN FROM THE EXTENSION'S DOCUMENTATION, NOT COPIED FROM ITS release-schema.json, which the project could
not obtain. The documented fields of ``contracts[].implementation.performanceFailures[]``: ``id`` (string,
required since 2018-05-08, ``minLength`` 1 since 2019-03-20), ``period`` (an OCDS Period, not nullable),
``category`` (string), ``events`` (number), ``penaltyContracted`` (string), ``penaltyImposed`` (string),
``penaltyPaid`` (boolean); since 2020-04-24 the array needs at least one item (``minItems``). Replace this with
the official file when it can be brought into ``../shared/standards/``.
"""

URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures_extension/master/"
    "extension.json"
)

_NULLABLE_STRING = {"type": ["string", "null"]}

PATCH: dict = {
    "definitions": {
        "Implementation": {
            "properties": {
                "performanceFailures": {
                    "title": "Performance failures",
                    "description": "Performance failures during the life of the contract, by category and period.",
                    "type": "array",
                    "items": {"$ref": "#/definitions/PerformanceFailure"},
                    "minItems": 1,
                }
            }
        },
        "PerformanceFailure": {
            "title": "Performance failure",
            "type": "object",
            "required": ["id"],
            "minProperties": 1,
            "properties": {
                "id": {"title": "ID", "type": ["string"], "minLength": 1},
                "period": {"title": "Period", "$ref": "#/definitions/Period"},
                "category": {"title": "Category", **_NULLABLE_STRING},
                "events": {"title": "Number of events", "type": ["number", "null"]},
                "penaltyContracted": {"title": "Contracted penalty", **_NULLABLE_STRING},
                "penaltyImposed": {"title": "Imposed penalty", **_NULLABLE_STRING},
                "penaltyPaid": {"title": "Penalty paid", "type": ["boolean", "null"]},
            },
        },
    }
}
