"""Campaign emails end to end, through a real SMTP server on loopback (aiosmtpd): invitations
in each respondent's language, reminders at the configured offsets under a controlled clock,
none after a submission or a request to stop, retries of a refusal that may pass, and the
yearly round that starts by itself with the previous answers filled in."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.jobs.campaigns import run_campaigns
from api.settings import Settings
from audit.campaigns import service as campaign_service
from audit.campaigns.schedule import add_months
from core.clock import utcnow
from questionnaires import service as questionnaires
from questionnaires.models import Assessment, QuestionnaireRecord
from tests.audit.campaign_builders import (
    campaign_body,
    html,
    plain,
    recruiter_network,
    smtp_server,
)
from tests.builders import Actor, World
from tests.questionnaires.builders import complete_answers

# The suite runs within its time on both databases by keeping the rest of these to SQLite.
SQLITE_ONLY = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
TITLE = "Ethical recruitment self-assessment for labour recruiters"
LINK = re.compile(r"http://\S+/respond/(fpi_[A-Za-z0-9_\-]+)")


def at(day: date) -> datetime:
    """Nine in the morning, UTC, on ``day``: the periodic run at that moment."""
    return datetime.combine(day, time(9), tzinfo=UTC)


def native(number: int, zero: int) -> str:
    """``number`` in the digits of a script whose zero is at code point ``zero``."""
    return "".join(chr(zero + int(d)) for d in str(number))


def email_on(settings: Settings, port: int) -> None:
    settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", port, "none"
    settings.mail_from = "Fairpath <campaigns@fairpath.example>"


def targets(actor: Actor, network_id: int, campaign_id: int) -> dict[str, dict]:
    url = f"/api/v1/networks/{network_id}/campaigns/{campaign_id}/targets"
    page = actor.get(url)
    assert page.status_code == 200, page.text
    return {t["node_external_id"]: t for t in page.json()["items"]}


def submit_all(client: TestClient, engine: Engine, token: str) -> None:
    """The respondent answers everything and submits, as the form's API does."""
    agent = Actor(client, token)
    with Session(engine) as session:
        assessment = questionnaires.resolve_invitation(session, token)
        record = session.get(QuestionnaireRecord, assessment.questionnaire_id)
        assert record is not None
        answers = complete_answers(questionnaires.parsed(record))
    saved = agent.put("/api/v1/respond/answers", json={"answers": answers})
    assert saved.status_code == 200, saved.text
    submitted = agent.post("/api/v1/respond/submit")
    assert submitted.status_code == 200, submitted.text


def test_invitations_in_three_languages_then_reminders_until_each_submits_or_stops(
    world: World, settings: Settings, engine: Engine, client: TestClient
) -> None:
    with smtp_server() as (inbox, port):
        email_on(settings, port)
        network_id = recruiter_network(world.analyst_a)
        today = utcnow().date()
        due = today + timedelta(days=10)
        created = world.analyst_a.post(
            f"/api/v1/networks/{network_id}/campaigns", json=campaign_body(due.isoformat())
        )
        assert created.status_code == 201, created.text
        campaign = created.json()
        assert campaign["email"] == "on"
        assert campaign["targets"] == 3
        # The invitations went out through the job queue as the campaign was created.
        assert campaign["statuses"]["sent"] == 3, campaign["statuses"]

        assert len(inbox.messages) == 3
        sita, rahim, aisha = (
            inbox.to(a)
            for a in ("sita@himal.example", "rahim@padma.example", "aisha@klang.example")
        )
        assert [m["Content-Language"] for m in (sita[0], rahim[0], aisha[0])] == ["ne", "bn", "en"]
        english = plain(aisha[0])
        long_due = f"{due.strftime('%B')} {due.day}, {due.year}"  # CLDR English "long"
        assert aisha[0]["Subject"] == f"Org A: please answer the {TITLE} by {long_due}"
        assert english.startswith("Dear Aisha,\n\nOrg A asks Klang Staffing to answer the ")
        assert f"to answer the {TITLE}. Please answer by {long_due}." in english
        assert "Questions? Write to Compliance team at compliance@buyer.example." in english
        assert "stop" not in english.lower()  # an invitation offers no stop link
        assert str(aisha[0]["Reply-To"]) == "Compliance team <compliance@buyer.example>"
        # Nepali and Bengali: their own script, the date in their own digits.
        nepali, bengali = plain(sita[0]), plain(rahim[0])
        assert "Himal Manpower" in nepali and re.search("[\u0900-\u097f]{4}", nepali)
        assert "Padma Overseas" in bengali and re.search("[\u0980-\u09ff]{4}", bengali)
        assert native(due.year, 0x0966) in nepali and native(due.year, 0x09E6) in bengali
        # The questionnaire is named as its translation names it (not the English title).
        assert "नैतिक भर्ती स्व-मूल्याङ्कन" in nepali and TITLE not in nepali
        assert "নৈতিক নিয়োগ স্ব-মূল্যায়ন" in bengali
        assert str(due.year) not in nepali.split("http")[0] + bengali.split("http")[0]
        # The link in the email is the target's link, and it opens the form; HTML carries it too.
        shown = targets(world.analyst_a, network_id, campaign["id"])
        for address, code in (("sita@", "R-NE"), ("rahim@", "R-BN"), ("aisha@", "R-EN")):
            assert shown[code]["invitation_url"] in plain(inbox.to(address)[0])
        assert shown["R-EN"]["invitation_url"] in html(aisha[0])
        aisha_token = LINK.search(english).group(1)  # type: ignore[union-attr]
        assert client.get(f"/respond/{aisha_token}").status_code == 200

        # A week before the due date: the seven-day reminder, to all three, once.
        first = run_campaigns(engine, settings, now=at(due - timedelta(days=7)))
        assert (first["sent"], first["planned"]) == (3, 3)
        again = run_campaigns(
            engine, settings, now=at(due - timedelta(days=7)) + timedelta(hours=1)
        )
        assert again["sent"] == 0
        reminder = inbox.to("aisha@")[-1]
        assert reminder["Subject"].startswith("Reminder: Org A needs your answers by ")
        assert f"are due in 7 days, on {long_due}." in plain(reminder)
        # The stop link is the last line (a token may itself hold "--", so split on lines).
        last_line = plain(reminder).rstrip().splitlines()[-1]
        stop_link = LINK.search(last_line)
        assert stop_link is not None and last_line.endswith("/reminders")

        # Aisha submits; Rahim asks for no more reminders from the link in his.
        submit_all(client, engine, aisha_token)
        rahim_token = LINK.search(plain(inbox.to("rahim@")[-1])).group(1)  # type: ignore[union-attr]
        page = client.get(f"/respond/{rahim_token}/reminders")
        assert page.status_code == 200 and 'method="post"' in page.text
        assert not targets(world.analyst_a, network_id, campaign["id"])["R-BN"]["reminders_stopped"]
        assert "Org A" in page.text  # which company and questionnaire the page is about
        stopped = client.post(f"/respond/{rahim_token}/reminders")
        assert stopped.status_code == 200, stopped.text
        # Opened again, the page says it is done instead of asking again.
        again_page = client.get(f"/respond/{rahim_token}/reminders")
        assert 'method="post"' not in again_page.text and 'role="status"' in again_page.text
        assert targets(world.analyst_a, network_id, campaign["id"])["R-BN"]["reminders_stopped"]

        # Three days and one day before, and two days after: only Sita is still reminded.
        for offset in (-3, -1, 2):
            run = run_campaigns(engine, settings, now=at(due + timedelta(days=offset)))
            assert run["sent"] == 1, (offset, run)
            assert inbox.messages[-1]["To"].addresses[0].addr_spec == "sita@himal.example"
        assert run_campaigns(engine, settings, now=at(due + timedelta(days=5)))["sent"] == 0
        assert [len(inbox.to(a)) for a in ("sita@", "rahim@", "aisha@")] == [5, 2, 2]

        statuses = {
            k: t["status"] for k, t in targets(world.analyst_a, network_id, campaign["id"]).items()
        }
        assert statuses == {"R-NE": "sent", "R-BN": "sent", "R-EN": "submitted"}
        # Sita's sends, in order, each with its one try recorded.
        sends = targets(world.analyst_a, network_id, campaign["id"])["R-NE"]["sends"]
        assert [(s["kind"], s["offset_days"], s["state"]) for s in sends] == [
            ("invitation", 0, "sent"),
            ("reminder", -7, "sent"),
            ("reminder", -3, "sent"),
            ("reminder", -1, "sent"),
            ("reminder", 2, "sent"),
        ]
        assert all(len(s["history"]) == 1 and s["history"][0]["result"] == "sent" for s in sends)


def test_a_refusal_that_may_pass_is_retried_and_a_permanent_one_fails_with_its_reason(
    world: World, settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server() as (inbox, port):
        email_on(settings, port)
        network_id = recruiter_network(world.analyst_a)
        due = (utcnow().date() + timedelta(days=20)).isoformat()
        inbox.refuse = ["451 4.3.0 Mailbox busy, try again later"]
        body = campaign_body(due, selection={"nodes": ["R-EN"]})
        body["contacts"] = [body["contacts"][2]]
        created = world.analyst_a.post(f"/api/v1/networks/{network_id}/campaigns", json=body)
        assert created.status_code == 201, created.text
        campaign_id = created.json()["id"]
        send = targets(world.analyst_a, network_id, campaign_id)["R-EN"]["sends"][0]
        assert (send["state"], send["attempts"]) == ("pending", 1)
        assert send["history"][0]["result"] == "retry"
        assert send["last_error"] == "recipient refused: 451 4.3.0 Mailbox busy, try again later"
        assert inbox.messages == []
        tried = datetime.fromisoformat(send["history"][0]["at"])
        # Not before its next try is due (one minute later); then it goes through.
        early = run_campaigns(engine, settings, now=tried + timedelta(seconds=30))
        assert early["sent"] == 0
        later = run_campaigns(engine, settings, now=tried + timedelta(minutes=2))
        assert later["sent"] == 1 and len(inbox.messages) == 1
        send = targets(world.analyst_a, network_id, campaign_id)["R-EN"]["sends"][0]
        assert (send["state"], send["attempts"], send["last_error"]) == ("sent", 2, None)
        assert [h["result"] for h in send["history"]] == ["retry", "sent"]

        # An unknown mailbox is final: failed, with the server's words, shown on the campaign.
        inbox.refuse = ["550 5.1.1 No such mailbox here"]
        body = campaign_body(due, selection={"nodes": ["R-NE"]}, name="Nepal only")
        body["contacts"] = [body["contacts"][0]]
        second = world.analyst_a.post(f"/api/v1/networks/{network_id}/campaigns", json=body)
        assert second.status_code == 201, second.text
        shown = world.analyst_a.get(
            f"/api/v1/networks/{network_id}/campaigns/{second.json()['id']}"
        ).json()
        assert shown["failed_sends"] == 1
        assert shown["statuses"]["not_sent"] == 1
        failed = targets(world.analyst_a, network_id, second.json()["id"])["R-NE"]["sends"][0]
        assert failed["state"] == "failed"
        assert failed["last_error"] == "recipient refused: 550 5.1.1 No such mailbox here"
        assert run_campaigns(engine, settings, now=utcnow() + timedelta(hours=3))["sent"] == 0

    # The server is gone: a connection refused is a fault that may pass, tried four more times.
    settings.smtp_port = port
    third = campaign_body(due, selection={"nodes": ["R-BN"]}, name="Bangladesh only")
    third["contacts"] = [third["contacts"][1]]
    created = world.analyst_a.post(f"/api/v1/networks/{network_id}/campaigns", json=third)
    moment = utcnow()
    for minutes in (2, 10, 45, 200):
        run_campaigns(engine, settings, now=moment + timedelta(minutes=minutes))
    send = targets(world.analyst_a, network_id, created.json()["id"])["R-BN"]["sends"][0]
    assert (send["state"], send["attempts"]) == ("failed", 5)
    assert send["last_error"].startswith("gave up after 5 tries: ConnectionRefusedError")
    assert [h["result"] for h in send["history"]] == ["retry"] * 4 + ["failed"]
    # Each try is logged by send and target, never with the link: it carries the token.
    logged = [r.getMessage() for r in caplog.records if r.name == "fairpath.campaigns"]
    assert len(logged) >= 8 and any("retry" in line or "pending" in line for line in logged)
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # not the test server
    assert ours and not any("fpi_" in r.getMessage() for r in ours)


@SQLITE_ONLY  # the date and planning rules are the same on both; PostgreSQL runs the flows above
def test_email_off_shows_links_and_a_yearly_round_starts_prefilled_after_acceptance(
    world: World, settings: Settings, engine: Engine, client: TestClient
) -> None:
    network_id = recruiter_network(world.analyst_a)
    today = utcnow().date()
    body = campaign_body((today + timedelta(days=14)).isoformat(), repeat_months=12)
    body["selection"] = {"nodes": ["R-EN"]}
    body["contacts"] = [body["contacts"][2]]
    created = world.analyst_a.post(f"/api/v1/networks/{network_id}/campaigns", json=body)
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["email"] == "off" and campaign["statuses"]["not_sent"] == 1
    base = f"/api/v1/networks/{network_id}/campaigns/{campaign['id']}"
    refused = world.analyst_a.post(f"{base}/send")
    assert refused.status_code == 422 and "Email is off" in refused.json()["detail"]
    # The analyst copies the link; a viewer of the same organisation does not see it.
    first = targets(world.analyst_a, network_id, campaign["id"])["R-EN"]
    assert targets(world.viewer_a, network_id, campaign["id"])["R-EN"]["invitation_url"] is None
    # "New link" replaces the campaign's link too: the old one stops, the shown one opens.
    old_token = LINK.search(first["invitation_url"]).group(1)  # type: ignore[union-attr]
    renewed = world.analyst_a.post(
        f"/api/v1/networks/{network_id}/assessments/{first['assessment_id']}/invitations",
        json={},
    )
    assert renewed.status_code == 201, renewed.text
    first = targets(world.analyst_a, network_id, campaign["id"])["R-EN"]
    assert first["invitation_url"] == renewed.json()["url"]
    assert client.get(f"/respond/{old_token}").status_code == 410
    token = LINK.search(first["invitation_url"]).group(1)  # type: ignore[union-attr]
    assert client.get(f"/respond/{token}").status_code == 200
    assert targets(world.analyst_a, network_id, campaign["id"])["R-EN"]["status"] == "opened"
    submit_all(client, engine, token)
    review = world.analyst_a.post(
        f"/api/v1/networks/{network_id}/assessments/{first['assessment_id']}/review",
        json={"decision": "accept"},
    )
    assert review.status_code == 200, review.text
    assert targets(world.analyst_a, network_id, campaign["id"])["R-EN"]["status"] == "accepted"

    # The month the repeat starts lists it; nothing starts before twelve months are up.
    start = add_months(today, 12)
    due = world.analyst_a.get("/api/v1/campaigns/due", params={"month": start.strftime("%Y-%m")})
    assert [(i["kind"], i["due_date"], i["node_name"]) for i in due.json()["items"]] == [
        ("next_round", start.isoformat(), "Klang Staffing")
    ]
    early = run_campaigns(engine, settings, now=at(start - timedelta(days=1)))
    assert (early["email"], early["rounds_started"]) == ("off", 0)
    started = run_campaigns(engine, settings, now=at(start))
    assert started["rounds_started"] == 1
    assert run_campaigns(engine, settings, now=at(start))["rounds_started"] == 0
    second = targets(world.analyst_a, network_id, campaign["id"])["R-EN"]
    assert (second["round"], second["due_date"]) == (2, (start + timedelta(days=30)).isoformat())
    assert second["invitation_url"] != first["invitation_url"]
    with Session(engine) as session:
        old = session.get(Assessment, first["assessment_id"])
        new = session.get(Assessment, second["assessment_id"])
        assert old is not None and new is not None
        assert new.answers == old.answers and new.prefilled_from_id == old.id
        assert new.status == "assigned"
        events = [e.action for e in questionnaires.events(session, assessment=new)]
    assert events[:2] == ["assigned", "prefilled"]
    # The respondent opens the new round's link and reads that the answers are last year's.
    new_token = LINK.search(second["invitation_url"]).group(1)  # type: ignore[union-attr]
    assert client.get(f"/respond/{new_token}").status_code == 200
    form = client.get("/respond/form")
    assert "Your answers from your last assessment" in form.text, form.text[:500]


@SQLITE_ONLY  # the date and planning rules are the same on both; PostgreSQL runs the flows above
def test_reading_campaigns_writes_nothing(world: World, engine: Engine) -> None:
    from tests.audit.test_reads_never_write import snapshot

    network_id = recruiter_network(world.analyst_a)
    due = (utcnow().date() + timedelta(days=5)).isoformat()
    created = world.analyst_a.post(
        f"/api/v1/networks/{network_id}/campaigns", json=campaign_body(due)
    )
    base = f"/api/v1/networks/{network_id}/campaigns"
    before = snapshot(engine)
    for url in (base, f"{base}/{created.json()['id']}", f"{base}/{created.json()['id']}/targets"):
        assert world.analyst_a.get(url).status_code == 200
    assert world.analyst_a.get("/api/v1/campaigns/due").status_code == 200
    assert snapshot(engine) == before
    with Session(engine) as session:
        assert len(session.exec(select(Assessment)).all()) == 3


@SQLITE_ONLY  # the date and planning rules are the same on both; PostgreSQL runs the flows above
def test_a_large_campaign_is_written_by_a_job_that_then_sends_its_invitations(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(campaign_service, "CLAIM_BATCH", 2)
    with smtp_server() as (inbox, port):
        email_on(settings, port)
        settings.inline_campaign_targets = 2  # three recruiters: more than the request writes
        network_id = recruiter_network(world.analyst_a)
        due = (utcnow().date() + timedelta(days=10)).isoformat()
        url = f"/api/v1/networks/{network_id}/campaigns"
        refused = world.analyst_a.post(url, json={**campaign_body(due), "language": "fr"})
        assert refused.status_code == 422  # checked in the request, before any job
        accepted = world.analyst_a.post(url, json=campaign_body(due))
        assert accepted.status_code == 202, accepted.text
        job = world.analyst_a.get(accepted.headers["Location"]).json()
        assert job["state"] == "done", job
        campaign_url = job["result"]["links"]["campaign"]
        assert job["result"]["campaign"]["sending"]["sent"] == 3
        campaign = world.analyst_a.get(campaign_url).json()
        assert (campaign["targets"], campaign["statuses"]["sent"]) == (3, 3)
        # Sent in one run although the claims come in batches (of 2 here).
        assert sorted(str(m["To"].addresses[0].addr_spec) for m in inbox.messages) == [
            "aisha@klang.example",
            "rahim@padma.example",
            "sita@himal.example",
        ]


@SQLITE_ONLY  # the date and planning rules are the same on both; PostgreSQL runs the flows above
def test_the_job_queue_runs_campaigns_every_minute(
    world: World, settings: Settings, engine: Engine
) -> None:
    """The periodic task each consumer runs (``periodic=True``): owed emails go out by it."""
    from api.jobs.queue import build_queue

    with smtp_server() as (inbox, port):
        network_id = recruiter_network(world.analyst_a)
        due = (utcnow().date() + timedelta(days=10)).isoformat()
        created = world.analyst_a.post(
            f"/api/v1/networks/{network_id}/campaigns", json=campaign_body(due)
        )
        assert created.json()["email"] == "off" and inbox.messages == []
        email_on(settings, port)
        queue = build_queue(settings, engine)
        periodic = [
            t for t in queue.huey._registry._periodic_tasks if t.__name__.endswith("campaigns")
        ]
        assert len(periodic) == 1
        periodic[0]().execute()  # what the consumer's scheduler does at each minute
        assert len(inbox.messages) == 3
        assert queue.consumer(1).periodic
