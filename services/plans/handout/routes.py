"""HTTP route of the handout: `GET /v1/plans/{plan_id}/handout`, HTML or PDF by `Accept`."""

import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from services.common.audit import OriginDep
from services.common.auth import CallerDep
from services.common.database import SessionDep
from services.common.errors import problem_responses
from services.plans.clients import PatientsDep, SchedulingDep
from services.plans.handout import page, pdf, service
from services.plans.handout.schemas import MEDIA_TYPES, Format, Handout

handout_router = APIRouter(prefix="/v1/plans", tags=["handout"])

# The page runs no script and loads nothing: should any text ever slip past the escaping,
# the browser still runs nothing.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
HANDOUT_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The handout: a printable HTML page (the default, also for `*/*`), "
        "or a PDF for `Accept: application/pdf`.",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def asked_format(request: Request) -> Format | None:
    """The form the Accept header prefers among ours (HTML where it prefers neither, or is
    absent); None when it accepts neither (406)."""
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return "html"
    ranges = list(_media_ranges(accept))
    weights = {form: _weight(ranges, media) for form, media in MEDIA_TYPES.items()}
    best = max(weights, key=weights.__getitem__)  # a tie goes to the first: HTML
    return best if weights[best] > 0 else None


def _media_ranges(accept: str) -> Iterator[tuple[str, float]]:
    """Each `type/subtype;q=...` of the header, with its quality (1 when not given)."""
    for entry in accept.split(","):
        media, *parameters = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                quality = _quality(value)
        yield media.lower(), quality


def _quality(value: str) -> float:
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0 <= quality <= 1 else 0.0  # NaN and out-of-range values: refused


def _weight(ranges: list[tuple[str, float]], media: str) -> float:
    """The quality the most specific matching range gives the media type (RFC 9110, 12.5.1)."""
    for candidate in (media, media.split("/")[0] + "/*", "*/*"):
        qualities = [quality for pattern, quality in ranges if pattern == candidate]
        if qualities:
            return max(qualities)
    return 0.0


FormatDep = Annotated[Format | None, Depends(asked_format)]


@handout_router.get(
    "/{plan_id}/handout",
    response_class=HTMLResponse,
    responses=HANDOUT_ANSWERS | problem_responses(403, 404, 406, 409, 502, 503),
)
async def read_plan_handout(
    plan_id: uuid.UUID,
    form: FormatDep,
    caller: CallerDep,
    session: SessionDep,
    origin: OriginDep,
    patients: PatientsDep,
    scheduling: SchedulingDep,
) -> Response:
    """The plan's home program to print: HTML, or PDF with `Accept: application/pdf`."""
    handout = await service.read_handout(
        session,
        plan_id=plan_id,
        form=form,
        caller=caller,
        origin=origin,
        patients=patients,
        scheduling=scheduling,
    )
    if form == "pdf":
        return await _pdf_answer(handout)
    headers = {"Content-Security-Policy": PAGE_POLICY, "Vary": "Accept"}
    return HTMLResponse(page.render(handout), headers=headers)


async def _pdf_answer(handout: Handout) -> Response:
    document = await run_in_threadpool(pdf.render, handout)  # CPU-bound: off the event loop
    filename = f"home-program-{handout.printed_on.isoformat()}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Vary": "Accept"}
    return Response(document, media_type=MEDIA_TYPES["pdf"], headers=headers)
