"""The campaign's date rules, by hand, and the API refusing a bad campaign by field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from audit.campaigns.schedule import (
    TargetFacts,
    add_months,
    next_round_start,
    reminders_due,
    retry_at,
    target_status,
)
from core.clock import utcnow
from tests.audit.campaign_builders import campaign_body, recruiter_network
from tests.builders import World

DUE = date(2027, 1, 31)
OFFSETS = [-7, -3, -1, 2]


@pytest.mark.parametrize(
    ("today", "settled", "send", "skip"),
    [
        (date(2027, 1, 23), [], None, ()),  # eight days before: nothing yet
        (date(2027, 1, 24), [], -7, ()),  # seven days before
        (date(2027, 1, 25), [-7], None, ()),  # already sent
        (date(2027, 1, 29), [], -3, (-7,)),  # started late: the latest only, -7 skipped
        (date(2027, 1, 30), [-7, -3], -1, ()),
        (date(2027, 2, 2), [-7, -3, -1], 2, ()),  # two days after
        (date(2027, 2, 20), [-7, -3, -1, 2], None, ()),  # all settled
    ],
)
def test_reminders_due_sends_only_the_latest_reached_offset(
    today: date, settled: list[int], send: int | None, skip: tuple[int, ...]
) -> None:
    plan = reminders_due(DUE, OFFSETS, today, settled)
    assert (plan.send, plan.skip) == (send, skip)


def test_months_later_keep_the_day_or_take_the_month_end() -> None:
    assert add_months(date(2026, 12, 3), 12) == date(2027, 12, 3)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    accepted = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert next_round_start(accepted, 12) == date(2027, 2, 28)


def test_retries_wait_longer_each_time_then_stop() -> None:
    now = datetime(2027, 1, 1, 9, tzinfo=UTC)
    waits = [retry_at(n, now) for n in range(1, 6)]
    assert waits[:4] == [
        now + timedelta(minutes=1),
        now + timedelta(minutes=5),
        now + timedelta(minutes=30),
        now + timedelta(hours=2),
    ]
    assert waits[4] is None


@pytest.mark.parametrize(
    ("status", "sent", "opened", "today", "expected"),
    [
        ("assigned", False, False, DUE, "not_sent"),
        ("assigned", True, False, DUE, "sent"),
        ("assigned", True, True, DUE, "opened"),
        ("in_progress", True, True, DUE, "in_progress"),
        ("returned", True, True, DUE, "in_progress"),
        ("in_progress", True, True, DUE + timedelta(days=1), "overdue"),
        ("assigned", False, False, DUE + timedelta(days=1), "overdue"),
        ("submitted", True, True, DUE + timedelta(days=9), "submitted"),
        ("accepted", True, True, DUE + timedelta(days=9), "accepted"),
    ],
)
def test_target_status(status: str, sent: bool, opened: bool, today: date, expected: str) -> None:
    facts = TargetFacts(
        assessment_status=status, due_date=DUE, invitation_sent=sent, link_opened=opened
    )
    assert target_status(facts, today) == expected


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
def test_a_bad_campaign_is_refused_naming_the_field_and_writes_nothing(world: World) -> None:
    network_id = recruiter_network(world.analyst_a)
    url = f"/api/v1/networks/{network_id}/campaigns"
    due = (utcnow().date() + timedelta(days=10)).isoformat()
    cases = [
        ({"due_date": "2020-01-01"}, "due_date", "is in the past"),
        ({"selection": {"nodes": ["R-XX"]}, "contacts": []}, "selection.nodes", "R-XX"),
        (
            {"selection": {"kinds": ["worker_group"]}, "contacts": []},
            "selection",
            "matches no node",
        ),
        (
            {"selection": {"nodes": ["C", "R-NE"]}, "contacts": []},
            "questionnaire_id",
            "need different questionnaires",
        ),
        ({"language": "fr", "contacts": []}, "language", "no 'fr' translation"),
    ]
    for change, field, words in cases:
        response = world.analyst_a.post(url, json={**campaign_body(due), **change})
        assert response.status_code == 422, (change, response.text)
        assert response.json()["errors"][0]["field"] == field, response.json()
        assert words in response.json()["errors"][0]["message"], response.json()
    wrong = campaign_body(due)
    wrong["contacts"][1]["language"] = "fr"
    response = world.analyst_a.post(url, json=wrong)
    assert response.json()["errors"][0]["field"] == "contacts.1.language"
    schema = world.analyst_a.post(url, json={**campaign_body(due), "reminder_offsets": [-3, -3]})
    assert schema.status_code == 422 and "listed twice" in schema.text
    email = campaign_body(due)
    email["contacts"][0]["email"] = "not an address"
    assert world.analyst_a.post(url, json=email).status_code == 422
    assert world.viewer_a.post(url, json=campaign_body(due)).status_code == 403
    assert world.analyst_b.post(url, json=campaign_body(due)).status_code == 404
    listed = world.analyst_a.get(url).json()
    assert listed["total"] == 0 and listed["items"] == []
    assessments = world.analyst_a.get(f"/api/v1/networks/{network_id}/assessments").json()
    assert assessments["total"] == 0


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
def test_selection_filters_combine(world: World) -> None:
    network_id = recruiter_network(world.analyst_a)
    url = f"/api/v1/networks/{network_id}/campaigns"
    due = (utcnow().date() + timedelta(days=9)).isoformat()
    cases = [
        ({"kinds": ["recruiter"], "corridors": ["BD-MY"]}, ["R-BN"]),
        ({"roles": ["destination_agency"]}, ["R-EN"]),
        ({"kinds": ["recruiter"], "countries": ["NP", "BD"]}, ["R-BN", "R-NE"]),
        # Recruiters without an assessment score high on their country and sector alone.
        ({"kinds": ["recruiter"], "bands": ["high"]}, ["R-BN", "R-EN", "R-NE"]),
        ({"nodes": ["R-NE", "R-EN"]}, ["R-EN", "R-NE"]),
    ]
    for selection, expected in cases:
        created = world.analyst_a.post(
            url, json={**campaign_body(due), "selection": selection, "contacts": []}
        )
        assert created.status_code == 201, created.text
        shown = world.analyst_a.get(f"{url}/{created.json()['id']}/targets").json()
        assert sorted(t["node_external_id"] for t in shown["items"]) == expected, selection
        assert {t["status"] for t in shown["items"]} == {"not_sent"}
    low = world.analyst_a.post(
        url,
        json={**campaign_body(due), "selection": {"kinds": ["recruiter"], "bands": ["low"]}},
    )
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "selection"


def test_a_reminder_on_the_due_date_says_today_not_in_zero_days() -> None:
    from audit.campaigns.emails import EmailFacts, compose

    facts = EmailFacts(
        kind="reminder",
        language="en",
        organisation="Org A",
        respondent="Klang Staffing",
        contact_name="",
        recipient="hr@klang.example",
        questionnaire="Recruiter check",
        due_date=date(2027, 1, 31),
        days_left=0,
        link="https://fairpath.example/respond/fpi_x",
        stop_link="https://fairpath.example/respond/fpi_x/reminders",
        campaign_contact_name="Compliance",
        campaign_contact_email="c@buyer.example",
    )
    body = compose(facts, "Fairpath <f@x.example>", datetime(2027, 1, 31, 9, tzinfo=UTC))
    text = body.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Your answers to the Recruiter check are due today, January 31, 2027." in text
    assert "0 days" not in text and text.startswith("Hello,")
