"""The printable handout of a plan's home program, over HTTP with the patients and scheduling
services answering for real: what it shows, to whom, in which format, escaped, audited, and
what it answers when another service fails."""

import io
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pypdf
import pytest
from sqlalchemy import text
from sqlmodel import select
from starlette.requests import Request

from services.plans.handout.routes import asked_format
from services.plans.handout.service import ACTION
from services.plans.models import AuditEvent
from tests.factories import bearer, headers_for, make_account, make_patient, token_for
from tests.plans.factories import make_plan, program_items

HOME_EXERCISES = ("Toe spreads", "Calf stretch (gastrocnemius and soleus)", "Single-leg balance")
STAFF_NOTE = "Staff only: watch the third web space."


def handout_url(plan) -> str:
    return f"/v1/plans/{plan.id}/handout"


async def patient_with_login(db, apps, **fields):
    patient = await make_patient(db, **fields)
    account = await make_account(db, role="patient", patient=patient)
    return patient, bearer(token_for(apps, account))


async def audit_rows(db, plan_id) -> list[AuditEvent]:
    statement = select(AuditEvent).where(
        AuditEvent.action == ACTION, AuditEvent.entity_id == str(plan_id)
    )
    return list((await db.exec(statement.order_by(AuditEvent.id))).all())


def same_problem(a: httpx.Response, b: httpx.Response) -> bool:
    """The same answer but for `instance` (the path asked for)."""
    strip = lambda r: {k: v for k, v in r.json().items() if k != "instance"}  # noqa: E731
    return (a.status_code, a.headers["content-type"], strip(a)) == (
        b.status_code,
        b.headers["content-type"],
        strip(b),
    )


# -- the page -------------------------------------------------------------------------------


async def test_the_therapist_prints_the_home_program_as_a_self_contained_page(plans_api, db, apps):
    patient = await make_patient(db, given_name="Rosa", family_name="Delgado")
    plan = await make_plan(db, patient_id=patient.id, therapist_name="Dana Whitfield, PT")
    headers = await headers_for(db, apps, "therapist")

    response = await plans_api.get(handout_url(plan), headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    for shown in (
        "Gaithersburg clinic",
        "401 Professional Drive, Gaithersburg, MD 20879",
        "(301) 555-0140",
        "Rosa Delgado",
        "Dana Whitfield, PT",
        *HOME_EXERCISES,
        "2 sets of 10, hold 5 s, each foot, once a day, 5 days a week",
        "Toe press-downs",  # in the clinic part
        "Wide toe-box shoes",
        "Go gently on the first week.",
        "When to call the clinic",
        "Your pain reaches 7 out of 10 or more.",
        "at each of your last 3 logs",
        "numbness",
    ):
        assert shown in page, shown
    assert page.index("At home") < page.index("Toe spreads") < page.index("At the clinic")
    assert page.index("At the clinic") < page.index("Toe press-downs")
    assert STAFF_NOTE not in page
    assert "corticosteroid" not in page  # the medical options are for the therapist
    today = datetime.now(ZoneInfo("America/New_York")).date()
    assert f"{today:%B} {today.day}, {today.year}" in page


async def test_the_page_loads_nothing_and_runs_nothing(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = await headers_for(db, apps, "therapist")

    response = await plans_api.get(handout_url(plan), headers=headers | {"Accept": "text/html"})

    page = response.text
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@media print" in page
    assert not re.search(r"<script|<link|<img|<iframe|\b(src|href)\s*=|@import|url\(", page, re.I)
    assert "script-src" not in response.headers["content-security-policy"]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["vary"] == "Accept"
    assert response.headers["cache-control"] == "no-store"


async def test_every_piece_of_written_text_is_escaped(plans_api, db, apps):
    program = await program_items(db)
    program[0]["patient_note"] = "<script>alert('exercise')</script>"
    program[0]["cues"] = ['"><img src=x onerror=alert(1)>']
    patient, headers = await patient_with_login(
        db, apps, given_name="<b>Bold</b>", family_name="O'Hara & <i>Sons</i>"
    )
    plan = await make_plan(
        db,
        patient_id=patient.id,
        program=program,
        patient_note="<script>alert('plan')</script>",
        therapist_name="</title><script>x()</script>",
        education=[{"slug": "x", "title": "<h1>Shoes</h1>", "text": "a < b && c > d"}],
        red_flag_criteria={"pain_at_least": 7, "advice": "<a href='http://evil'>call</a>"},
    )

    page = (await plans_api.get(handout_url(plan), headers=headers)).text

    assert "&lt;script&gt;alert(&#x27;exercise&#x27;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#x27;plan&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; O&#x27;Hara &amp; &lt;i&gt;Sons&lt;/i&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;h1&gt;Shoes&lt;/h1&gt;" in page and "a &lt; b &amp;&amp; c &gt; d" in page
    for raw in ("<script", "<img", "<b>", "<i>", "<a ", "<h1>Shoes", "</title><"):
        assert raw not in page, raw


async def test_an_administrator_gets_the_handout_without_the_patients_name(plans_api, db, apps):
    # The patients service shows administrators no patient record; the handout does not
    # go around it.
    patient = await make_patient(db, family_name=f"Hidden-{uuid.uuid4().hex[:6]}")
    plan = await make_plan(db, patient_id=patient.id)
    headers = await headers_for(db, apps, "admin")

    response = await plans_api.get(handout_url(plan), headers=headers)

    assert response.status_code == 200, response.text
    assert patient.family_name not in response.text
    assert "Toe spreads" in response.text


# -- the PDF ----------------------------------------------------------------------------------


async def test_the_pdf_holds_the_same_program(plans_api, db, apps):
    patient, headers = await patient_with_login(db, apps, given_name="Rosa", family_name="Vale")
    plan = await make_plan(db, patient_id=patient.id)

    response = await plans_api.get(
        handout_url(plan), headers=headers | {"Accept": "application/pdf"}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    today = datetime.now(ZoneInfo("America/New_York")).date()
    assert response.headers["content-disposition"] == (
        f'inline; filename="home-program-{today.isoformat()}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    document = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(document.pages) >= 1
    text = " ".join(page.extract_text() for page in document.pages)
    for shown in (*HOME_EXERCISES, "Toe press-downs", "Rosa Vale", "(301) 555-0140"):
        assert shown in text, shown
    assert "Wide toe-box shoes" in text and "7 out of 10" in text
    assert STAFF_NOTE not in text


async def test_names_beyond_latin_1_print_in_the_pdf(plans_api, db, apps, caplog):
    program = await program_items(db)
    program[0]["patient_note"] = "Đi chậm thôi — 慢慢来 🦶\x07\r\nnext line"
    patient, headers = await patient_with_login(
        db, apps, given_name="Nguyễn Thị", family_name="Ánh—Đặng"
    )
    plan = await make_plan(
        db,
        patient_id=patient.id,
        program=program,
        therapist_name="Zoë O\u2019Brien — DPT",
        patient_note="Go gently — “really”.",
    )

    response = await plans_api.get(
        handout_url(plan), headers=headers | {"Accept": "application/pdf"}
    )

    assert response.status_code == 200, response.text
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Nguyễn Thị Ánh—Đặng" in text
    assert "Zoë O\u2019Brien — DPT" in text
    assert "Go gently — “really”." in text
    assert "Đi chậm thôi —" in text  # the characters DejaVu lacks print as nothing, no error
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "慢" not in logged and "🦶" not in logged  # fpdf2 quotes missing glyphs: no PHI


async def test_a_decomposed_name_prints_composed_in_the_pdf(plans_api, db, apps):
    patient, headers = await patient_with_login(db, apps, given_name="Nguye\u0302\u0303n")
    plan = await make_plan(db, patient_id=patient.id)

    response = await plans_api.get(
        handout_url(plan), headers=headers | {"Accept": "application/pdf"}
    )

    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Nguyễn" in text


# -- which format ---------------------------------------------------------------------------


def _format_for(accept: str) -> str | None:
    return asked_format(Request({"type": "http", "headers": [(b"accept", accept.encode())]}))


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", "html"),
        ("*/*", "html"),
        ("text/html", "html"),
        ("text/*", "html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("application/pdf", "pdf"),
        ("APPLICATION/PDF", "pdf"),
        ("application/*", "pdf"),
        ("application/pdf, text/html;q=0.9", "pdf"),
        ("text/html;q=0.5, application/pdf", "pdf"),
        ("application/pdf;q=0, */*", "html"),
        ("*/*;q=0.1, application/pdf;q=0.2", "pdf"),
        ("application/xml", None),
        ("application/json", None),
        ("text/html;q=0", None),
        ("text/html;q=nan, application/pdf;q=2", None),
        ("%%%", None),
    ],
)
def test_the_accept_header_picks_the_format(accept, expected):
    assert _format_for(accept) == expected


@pytest.mark.parametrize("accept", ["application/xml", "application/json", "text/html;q=0"])
async def test_a_format_we_do_not_make_is_406_and_audited(plans_api, db, apps, accept):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = await headers_for(db, apps, "therapist")

    response = await plans_api.get(handout_url(plan), headers=headers | {"Accept": accept})

    assert response.status_code == 406, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "text/html or application/pdf" in response.json()["detail"]
    (row,) = await audit_rows(db, plan.id)
    assert (row.outcome, row.detail) == ("denied", {"format": None, "status": 406})


def test_the_document_declares_both_media_types_and_406(apps):
    operation = apps["plans"].openapi()["paths"]["/v1/plans/{plan_id}/handout"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"text/html", "application/pdf"}
    assert {"401", "403", "404", "406", "409", "502", "503"} <= set(operation["responses"])


# -- who may read it --------------------------------------------------------------------------


async def test_a_patient_reads_their_own_and_no_one_elses(plans_api, db, apps):
    own, headers = await patient_with_login(db, apps)
    mine = await make_plan(db, patient_id=own.id)
    theirs = await make_plan(db, patient_id=(await make_patient(db)).id)

    assert (await plans_api.get(handout_url(mine), headers=headers)).status_code == 200
    other = await plans_api.get(handout_url(theirs), headers=headers)
    unknown = await plans_api.get(f"/v1/plans/{uuid.uuid4()}/handout", headers=headers)

    assert other.status_code == 404
    assert same_problem(other, unknown)
    (denied,) = await audit_rows(db, theirs.id)
    assert (denied.outcome, denied.patient_id, denied.actor_role) == (
        "denied",
        theirs.patient_id,
        "patient",
    )


@pytest.mark.parametrize("status", ["draft", "completed", "discontinued"])
async def test_only_a_current_signed_plan_prints(plans_api, db, apps, status):
    patient, patient_headers = await patient_with_login(db, apps)
    plan = await make_plan(db, patient_id=patient.id, status=status)
    therapist = await headers_for(db, apps, "therapist")

    as_patient = await plans_api.get(handout_url(plan), headers=patient_headers)
    as_therapist = await plans_api.get(handout_url(plan), headers=therapist)
    unknown = await plans_api.get(f"/v1/plans/{uuid.uuid4()}/handout", headers=patient_headers)

    assert same_problem(as_patient, unknown)  # a patient never learns of a draft
    assert as_therapist.status_code == 409
    assert "active or on-hold" in as_therapist.json()["detail"]


async def test_a_plan_on_hold_prints(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id, status="on_hold")
    headers = await headers_for(db, apps, "therapist")
    assert (await plans_api.get(handout_url(plan), headers=headers)).status_code == 200


async def test_the_front_desk_is_refused_whatever_the_id(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = await headers_for(db, apps, "front_desk")

    known = await plans_api.get(handout_url(plan), headers=headers)
    unknown = await plans_api.get(f"/v1/plans/{uuid.uuid4()}/handout", headers=headers)

    assert known.status_code == unknown.status_code == 403
    (denied,) = await audit_rows(db, plan.id)
    assert (denied.outcome, denied.detail["status"]) == ("denied", 403)


async def test_each_read_is_audited_with_its_format(plans_api, db, apps):
    patient, headers = await patient_with_login(db, apps)
    plan = await make_plan(db, patient_id=patient.id)

    await plans_api.get(handout_url(plan), headers=headers)
    await plans_api.get(handout_url(plan), headers=headers | {"Accept": "application/pdf"})

    rows = await audit_rows(db, plan.id)
    assert [(r.outcome, r.detail["format"], r.patient_id) for r in rows] == [
        ("success", "html", patient.id),
        ("success", "pdf", patient.id),
    ]
    assert {r.entity_type for r in rows} == {"plan"}


# -- when another service fails -------------------------------------------------------------


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


class PatientRecordsDown(httpx.AsyncBaseTransport):
    """The patients service, but its patient records cannot be reached (the account check
    still answers, so the failure is the handout's own)."""

    def __init__(self, app) -> None:
        self.real = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/patients/"):
            return down(request)
        return await self.real.handle_async_request(request)


@pytest.mark.parametrize("failing", ["patients", "scheduling"])
async def test_a_service_that_cannot_be_reached_is_503_and_nothing_is_audited(
    plans_api, db, apps, failing
):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = await headers_for(db, apps, "therapist")
    fault = (
        PatientRecordsDown(apps["patients"]) if failing == "patients" else httpx.MockTransport(down)
    )
    router = apps["plans"].state.http._transport

    with router.replaced(f"{failing}.test", fault):
        response = await plans_api.get(handout_url(plan), headers=headers)

    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert failing in response.json()["detail"]
    assert await audit_rows(db, plan.id) == []


async def test_a_clinic_scheduling_does_not_know_is_502(plans_api, db, apps):
    plan = await make_plan(db, patient_id=(await make_patient(db)).id, location="nowhere")
    headers = await headers_for(db, apps, "therapist")

    response = await plans_api.get(handout_url(plan), headers=headers)

    assert response.status_code == 502, response.text
    assert response.headers["content-type"] == "application/problem+json"


OPEN_TRANSACTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND application_name = 'clinic' AND state LIKE 'idle in transaction%'"
)


async def test_no_transaction_is_open_while_scheduling_answers(
    committed_apis, committed_db, apps, engine
):
    patient = await make_patient(committed_db, family_name=f"Print-{uuid.uuid4().hex[:6]}")
    plan = await make_plan(committed_db, patient_id=patient.id)
    headers = bearer(token_for(apps, await make_account(committed_db, role="therapist")))
    real = httpx.ASGITransport(app=apps["scheduling"])
    seen: list[int] = []

    class Watching(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            async with engine.connect() as conn:
                seen.append((await conn.execute(text(OPEN_TRANSACTIONS))).scalar_one())
            return await real.handle_async_request(request)

    router = apps["plans"].state.http._transport
    with router.replaced("scheduling.test", Watching()):
        response = await committed_apis["plans"].get(handout_url(plan), headers=headers)

    assert response.status_code == 200, response.text
    assert seen == [0]
