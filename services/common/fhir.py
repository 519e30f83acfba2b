"""What the plans and scheduling FHIR R4 exports share: the media type, the answer that
carries it, the references they make and how their OpenAPI documents declare the answer.

The services build FHIR resources as plain JSON dicts and validate nothing at run time (a
read model never validates); the suite validates them against the R4B models of
`fhir.resources` and checks the codes against the FHIR value sets (tests/fhir_checks.py).
See docs/fhir.md.
"""

import uuid
from typing import Any

from fastapi.responses import JSONResponse

from services.common.preconditions import ETAG_HEADER

FHIR_JSON = "application/fhir+json"
Resource = dict[str, Any]


class FhirResponse(JSONResponse):
    """A FHIR resource (or Bundle) as JSON, with the FHIR media type."""

    media_type = FHIR_JSON


def reference(resource_type: str, resource_id: object, display: str | None = None) -> Resource:
    """A reference by type and id (`Patient/<id>`): the record lives in the service that
    holds it, not in this answer."""
    found: Resource = {"reference": f"{resource_type}/{resource_id}"}
    return found | ({"display": display} if display else {})


def bundled(resource_id: uuid.UUID | str) -> str:
    """The fullUrl of a resource carried in a Bundle, and how the Bundle's other resources
    point at it: none of them has a FHIR server address to be read at."""
    return f"urn:uuid:{resource_id}"


def fhir_answer(
    description: str, resource_types: tuple[str, ...], *, etag: bool = False
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entry of a route answering FHIR JSON: a loose object schema naming the
    resource type (the FHIR specification, not this document, defines the rest)."""
    schema = {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "enum": list(resource_types)}},
        "additionalProperties": True,
    }
    answer: dict[str, Any] = {
        "description": description,
        "content": {FHIR_JSON: {"schema": schema}},
    }
    if etag:
        answer["headers"] = ETAG_HEADER
    return {200: answer}
