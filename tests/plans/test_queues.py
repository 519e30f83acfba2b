"""The therapist queues on `GET /v1/plans`, over HTTP: exactly the plans each queue should
hold, in a stable order, page by page; therapists and admins only."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from services.plans.models import AuditEvent, PlanOfCare, RedFlag
from tests.factories import bearer, headers_for, make_patient
from tests.plans.factories import make_plan, make_session

URL = "/v1/plans"


def _today() -> date:
    """The clinics' today (all three are on New York time)."""
    return datetime.now(ZoneInfo("America/New_York")).date()


class Caseload:
    """One therapist's plans, made one by one; each test lists only this therapist's."""

    def __init__(self, db) -> None:
        self.db, self.therapist_id = db, uuid.uuid4()

    async def plan(self, *, ends_in: int = 45, **fields) -> PlanOfCare:
        end = _today() + timedelta(days=ends_in)
        start = end - timedelta(days=60)
        patient = fields.pop("patient_id", None) or (await make_patient(self.db)).id
        if fields.get("status") in ("completed", "discontinued"):
            fields.setdefault("status_reason", "goals met")
        return await make_plan(
            self.db,
            patient_id=patient,
            therapist_id=self.therapist_id,
            start_date=start,
            certification_start=start,
            certification_end=end,
            **fields,
        )

    async def red_flag(self, plan: PlanOfCare, *, days_ago: int, acknowledged: bool) -> None:
        session = await make_session(
            self.db, plan=plan, performed_on=_today() - timedelta(days=days_ago), pain=8
        )
        flag = RedFlag(
            plan_id=plan.id,
            session_id=session.id,
            reason="pain_high",
            detail="Pain 8 of 10.",
            acknowledged_at=datetime.now(UTC) if acknowledged else None,
        )
        self.db.add(flag)
        await self.db.commit()


async def _ids(api, headers, **params) -> list[str]:
    response = await api.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _sorted(*plans: PlanOfCare) -> list[str]:
    return sorted(str(p.id) for p in plans)


@pytest.fixture
async def therapist(db, apps) -> dict[str, str]:
    return await headers_for(db, apps, "therapist")


async def test_recertification_queue_by_end_date(plans_api, db, therapist):
    load = Caseload(db)
    soon = await load.plan(ends_in=5)
    overdue = await load.plan(ends_in=-3, status="on_hold")
    last_day = await load.plan(ends_in=14)
    await load.plan(ends_in=15)
    later = await load.plan(ends_in=30)
    await load.plan(ends_in=2, status="completed")
    await load.plan(ends_in=1, status="draft")
    mine = {"therapist_id": str(load.therapist_id), "due": "recertification"}

    assert await _ids(plans_api, therapist, **mine) == [
        str(p.id) for p in (overdue, soon, last_day)
    ]
    assert await _ids(plans_api, therapist, **mine, within_days=0) == [str(overdue.id)]
    in_30 = await _ids(plans_api, therapist, **mine, within_days=30)
    assert len(in_30) == 5 and in_30[:3] == [str(p.id) for p in (overdue, soon, last_day)]
    assert in_30[-1] == str(later.id)
    items = (await plans_api.get(URL, params=mine, headers=therapist)).json()["items"]
    assert items[0]["due_reason"].startswith(
        f"The certification ended on {overdue.certification_end}"
    )
    assert items[0]["due_reason"].endswith("(3 days ago).")
    assert items[1]["due_reason"].endswith("(in 5 days).")


async def test_recertification_queue_pages_in_end_date_order(plans_api, db, therapist):
    load = Caseload(db)
    plans = [await load.plan(ends_in=days) for days in (9, 2, 2, 5, 11)]
    expected = [str(p.id) for p in sorted(plans, key=lambda p: (p.certification_end, str(p.id)))]
    params = {"therapist_id": str(load.therapist_id), "due": "recertification", "limit": 2}

    seen, cursor = [], None
    for _ in range(3):
        page = (
            await plans_api.get(
                URL, params=params | ({"cursor": cursor} if cursor else {}), headers=therapist
            )
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == expected and cursor is None


async def test_progress_report_queue(plans_api, db, therapist):
    load = Caseload(db)
    ten = await load.plan(visits_since_progress_report=10, completed_visits=10)
    on_hold = await load.plan(
        status="on_hold", visits_since_progress_report=15, completed_visits=25
    )
    await load.plan(visits_since_progress_report=9, completed_visits=19)
    await load.plan(status="completed", visits_since_progress_report=12, completed_visits=12)
    mine = {"therapist_id": str(load.therapist_id), "due": "progress-report"}

    assert await _ids(plans_api, therapist, **mine) == _sorted(ten, on_hold)
    items = (await plans_api.get(URL, params=mine, headers=therapist)).json()["items"]
    reasons = {item["id"]: item["due_reason"] for item in items}
    assert reasons[str(ten.id)] == "10 visits completed since the plan began."


async def test_authorization_queue(plans_api, db, therapist):
    load = Caseload(db)
    two_left = await load.plan(authorization_visits=12, completed_visits=10)
    used_up = await load.plan(authorization_visits=12, completed_visits=12)
    week_left = await load.plan(
        authorization_visits=12,
        completed_visits=9,
        authorization_valid_until=_today() + timedelta(days=7),
    )
    expired = await load.plan(authorization_valid_until=_today() - timedelta(days=1))
    await load.plan(authorization_visits=12, completed_visits=9)
    await load.plan(authorization_valid_until=_today() + timedelta(days=8))
    await load.plan()  # no authorization at all
    await load.plan(status="completed", authorization_visits=12, completed_visits=12)
    mine = {"therapist_id": str(load.therapist_id), "due": "authorization"}

    response = await plans_api.get(URL, params=mine, headers=therapist)

    items = {item["id"]: item for item in response.json()["items"]}
    assert sorted(items) == _sorted(two_left, used_up, week_left, expired)
    assert items[str(two_left.id)]["authorization_visits_left"] == 2
    assert items[str(two_left.id)]["due_reason"] == "2 of 12 authorized visits left."
    assert items[str(used_up.id)]["due_reason"] == "0 of 12 authorized visits left."
    assert items[str(week_left.id)]["due_reason"].endswith("(in 7 days).")
    assert items[str(expired.id)]["due_reason"].endswith("(1 day ago).")


async def test_flagged_plans(plans_api, db, therapist):
    load = Caseload(db)
    flagged = await load.plan()
    await load.red_flag(flagged, days_ago=1, acknowledged=False)
    await load.red_flag(flagged, days_ago=2, acknowledged=False)
    await load.red_flag(flagged, days_ago=3, acknowledged=True)
    seen = await load.plan()
    await load.red_flag(seen, days_ago=1, acknowledged=True)
    calm = await load.plan()
    mine = {"therapist_id": str(load.therapist_id)}

    response = await plans_api.get(URL, params=mine | {"flagged": "true"}, headers=therapist)

    assert [i["id"] for i in response.json()["items"]] == [str(flagged.id)]
    assert response.json()["items"][0]["open_red_flags"] == 2
    assert response.json()["items"][0]["due_reason"] is None
    assert await _ids(plans_api, therapist, **mine, flagged="false") == _sorted(seen, calm)


async def test_filters_combine(plans_api, db, therapist):
    load = Caseload(db)
    patient = (await make_patient(db)).id
    here = await load.plan(patient_id=patient, location="frederick")
    on_hold = await load.plan(patient_id=patient, status="on_hold")
    other_patient = await load.plan(location="frederick")
    mine = {"therapist_id": str(load.therapist_id)}

    assert await _ids(plans_api, therapist, **mine) == _sorted(here, on_hold, other_patient)
    assert await _ids(plans_api, therapist, **mine, patient_id=str(patient)) == _sorted(
        here, on_hold
    )
    frederick = await _ids(plans_api, therapist, **mine, location="frederick")
    assert frederick == _sorted(here, other_patient)
    assert await _ids(plans_api, therapist, **mine, status="on_hold") == [str(on_hold.id)]
    assert await _ids(plans_api, therapist, patient_id=str(patient), location="frederick") == [
        str(here.id)
    ]


async def test_pages_by_id(plans_api, db, therapist):
    load = Caseload(db)
    plans = [await load.plan() for _ in range(5)]
    params = {"therapist_id": str(load.therapist_id), "limit": 2}
    seen, cursor, pages = [], None, 0
    while True:
        page = (
            await plans_api.get(
                URL, params=params | ({"cursor": cursor} if cursor else {}), headers=therapist
            )
        ).json()
        seen, cursor, pages = (
            seen + [i["id"] for i in page["items"]],
            page["next_cursor"],
            pages + 1,
        )
        if cursor is None:
            break
    assert seen == _sorted(*plans) and pages == 3


async def test_a_summary_holds_the_scheduling_facts_and_counts(plans_api, db, therapist):
    load = Caseload(db)
    plan = await load.plan(
        completed_visits=4,
        visits_since_progress_report=4,
        authorization_visits=12,
        authorization_valid_from=_today() - timedelta(days=20),
        authorization_valid_until=_today() + timedelta(days=60),
    )
    items = (
        await plans_api.get(URL, params={"therapist_id": str(load.therapist_id)}, headers=therapist)
    ).json()["items"]
    summary = items[0]
    assert summary["patient_id"] == str(plan.patient_id)
    assert (summary["therapist_name"], summary["location"], summary["status"]) == (
        "Test therapist",
        "gaithersburg",
        "active",
    )
    assert (summary["planned_visits"], summary["completed_visits"]) == (12, 4)
    assert (summary["authorization_visits"], summary["authorization_visits_left"]) == (12, 8)
    assert summary["certification_end"] == plan.certification_end.isoformat()
    assert summary["open_red_flags"] == 0 and summary["due_reason"] is None
    assert not {"goals", "program", "staff_note", "patient_note"} & set(summary)


async def test_listing_is_audited_with_its_filters(plans_api, db, apps):
    admin_account_headers = await headers_for(db, apps, "admin")
    patient = uuid.uuid4()
    params = {"patient_id": str(patient), "due": "recertification", "within_days": "30"}

    assert (
        await plans_api.get(URL, params=params, headers=admin_account_headers)
    ).status_code == 200

    row = (await db.exec(select(AuditEvent).where(AuditEvent.patient_id == patient))).one()
    assert (row.action, row.actor_role) == ("plan.list", "admin")
    assert row.detail == {
        "filters": {"patient_id": str(patient), "due": "recertification", "within_days": 30},
        "count": 0,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"due": "banana"},
        {"within_days": "-1"},
        {"within_days": "366"},
        {"status": "finished"},
        {"flagged": "maybe"},
        {"location": "Not A Slug"},
        {"therapist_id": "me"},
        {"cursor": "bm90LWEtY3Vyc29y"},
        {"due": "recertification", "cursor": "WyJ4Il0"},  # an id order cursor
    ],
)
async def test_bad_query_values_are_refused(plans_api, therapist, params):
    response = await plans_api.get(URL, params=params, headers=therapist)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("role", "status"), [("patient", 403), ("front_desk", 403)])
async def test_only_therapists_and_admins_list_plans(plans_api, db, apps, role, status):
    await make_plan(db, patient_id=(await make_patient(db)).id)
    headers = await headers_for(db, apps, role)
    assert (await plans_api.get(URL, headers=headers)).status_code == status
    assert (await plans_api.get(URL)).status_code == 401
    signer = apps["patients"].state.signer
    service = bearer(signer.service_token(service="scheduling", lifetime=timedelta(minutes=5)))
    assert (await plans_api.get(URL, headers=service)).status_code == 403


async def test_the_tenth_completed_visit_puts_a_plan_in_the_queue(plans_api, db, apps, therapist):
    load = Caseload(db)
    plan = await load.plan()
    signer = apps["patients"].state.signer
    service = bearer(signer.service_token(service="scheduling", lifetime=timedelta(minutes=5)))
    mine = {"therapist_id": str(load.therapist_id), "due": "progress-report"}
    for _ in range(10):
        assert await _ids(plans_api, therapist, **mine) == []
        outcome = {
            "event_id": str(uuid.uuid4()),
            "plan_id": str(plan.id),
            "appointment_id": str(uuid.uuid4()),
            "outcome": "completed",
            "occurred_at": datetime.now(UTC).isoformat(),
            "visit_date": _today().isoformat(),
        }
        assert (
            await plans_api.post("/v1/visit-outcomes", json=outcome, headers=service)
        ).status_code == 200

    assert await _ids(plans_api, therapist, **mine) == [str(plan.id)]
    report = {"goal_statuses": [{"goal_id": plan.goals[0]["id"], "status": "in_progress"}]}
    created = await plans_api.post(
        f"/v1/plans/{plan.id}/progress-reports", json=report, headers=therapist
    )
    assert created.status_code == 201 and created.json()["visits_covered"] == 10
    assert await _ids(plans_api, therapist, **mine) == []
