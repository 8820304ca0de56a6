"""JSON Merge Patch for the OCDS Party Details - Scale extension (open-contracting-extensions/
ocds_partyDetails_scale_extension), which the UK's Find a Tender uses for SME status (``details.scale``).

WRITTEN FROM THE EXTENSION'S DOCUMENTATION, NOT COPIED FROM ITS release-schema.json, which the project does
not hold: ``parties[].details.scale`` is a string from the closed ``partyScale`` codelist (micro, small,
medium, sme, large; 'small' and 'medium' added 2020-03-10). Replace it with the official file when it can be
brought into ``../shared/standards/``.
"""

URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyDetails_scale_extension/master/"
    "extension.json"
)

PATCH: dict = {
    "definitions": {
        "Organization": {
            "properties": {
                "details": {
                    "properties": {
                        "scale": {
                            "title": "Scale",
                            "description": "The scale of the organization, from the closed partyScale codelist.",
                            "type": ["string", "null"],
                            "enum": ["micro", "small", "medium", "sme", "large", None],
                        }
                    }
                }
            }
        }
    }
}
