"""The dashboard's campaign pages: the honest empty state, a campaign's targets with their
statuses, last emails and links to copy (for analysts, not viewers), the notice when email is
off, closing a campaign (refused to viewers), and reads that write nothing."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from api.jobs.campaigns import run_campaigns
from audit.campaigns.mail import DeliveryError
from audit.campaigns.schedule import month_bounds
from tests.builders import Actor, World, edge, network_with, node
from tests.web.sessions import csrf_of, session_csrf, signed_in

# The pages and the API both read the real clock; the last day of this month is never past
# and always falls in "Due this month".
DUE = month_bounds(date.today())[1]
pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
EMAIL_OFF = "Email is off: no SMTP server is configured. Copy each link below and send it yourself."


def recruiters(actor: Actor) -> int:
    network = network_with(
        actor,
        [
            node("CO", "company", "Brand", country="GB"),
            node("R1", "recruiter", "Agency One", country="NP", role="origin_agency"),
            node("R2", "recruiter", "Agency Two", country="BD", role="origin_agency"),
        ],
        [edge("R1", "CO", "recruits_for"), edge("R2", "CO", "recruits_for")],
        name="Recruiters",
    )
    return int(network["id"])


def campaign(actor: Actor, network_id: int) -> dict[str, Any]:
    body = {
        "name": "Recruiters <2027>",
        "selection": {"kinds": ["recruiter"]},
        "due_date": DUE.isoformat(),
        "reminder_offsets": [-7, -1, 2],
        "repeat_months": 12,
        "contact_name": "Compliance team",
        "contact_email": "compliance@brand.example",
        "contacts": [
            {"node": "R1", "name": "Sita", "email": "sita@one.example", "language": "ne"},
            {"node": "R2", "name": "Rahim", "email": "rahim@two.example", "language": "bn"},
        ],
    }
    created = actor.post(f"/api/v1/networks/{network_id}/campaigns", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def targets(actor: Actor, network_id: int, campaign_id: int) -> dict[str, dict[str, Any]]:
    listed = actor.get(f"/api/v1/networks/{network_id}/campaigns/{campaign_id}/targets")
    return {t["node_external_id"]: t for t in listed.json()["items"]}


def snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, but the last-used stamps a signed-in read may set."""
    tables: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            columns = [
                c["name"]
                for c in inspect(connection).get_columns(table)
                if c["name"] != "last_used_at"
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(text(f'SELECT {listed} FROM "{table}"')).all()
            tables[table] = sorted(repr(tuple(row)) for row in rows)
    return tables


class _Page(HTMLParser):
    """The th of a page with their scope, and the readonly inputs (the links to copy)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[dict[str, str | None]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "th":
            self.headers.append(named)
        if tag == "input" and "readonly" in named:
            self.links.append(named.get("value") or "")


def parsed(html: str) -> _Page:
    found = _Page()
    found.feed(html)
    assert found.headers, "no table"
    assert all(h.get("scope") in ("col", "row") for h in found.headers), found.headers
    return found


def test_a_network_without_campaigns_says_what_one_is_and_how_to_create_it(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = recruiters(world.analyst_a)
    person = signed_in(client, engine, world.analyst_a.user_id)
    shown = person.get(f"/dashboard/networks/{network_id}/campaigns")
    assert shown.status_code == 200
    text_ = unescape(shown.text)
    assert 'aria-current="page" class="active">Campaigns</a>' in shown.text
    assert "No campaign in this network yet." in text_
    assert "A campaign sends one questionnaire to the nodes you choose" in text_
    assert f"POST /api/v1/networks/{network_id}/campaigns" in text_
    assert f"fairpath campaigns create {network_id} --file campaign.json" in text_
    assert "Nothing is due this month: there is no campaign." in text_
    # Another organisation's network is not found, as in the API.
    other = signed_in(client, engine, world.analyst_b.user_id)
    assert other.get(f"/dashboard/networks/{network_id}/campaigns").status_code == 404


def test_a_campaign_shows_each_targets_status_and_link_and_reads_write_nothing(
    world: World, client: TestClient, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id = recruiters(analyst)
    created = campaign(analyst, network_id)
    base = f"/dashboard/networks/{network_id}/campaigns"
    api = targets(analyst, network_id, created["id"])
    # Agency One's respondent opens the form; Agency Two has not yet.
    token = api["R1"]["invitation_url"].rsplit("/", 1)[1]
    opened = client.get("/api/v1/respond/assessment", headers={"Authorization": f"Bearer {token}"})
    assert opened.status_code == 200, opened.text

    person = signed_in(client, engine, analyst.user_id)
    viewer = signed_in(client, engine, world.viewer_a.user_id)
    before = snapshot(engine)
    listing = person.get(base)
    one = person.get(f"{base}/{created['id']}")
    sent_only = person.get(f"{base}/{created['id']}", params={"status": "opened"})
    seen = viewer.get(f"{base}/{created['id']}")
    assert snapshot(engine) == before
    assert {r.status_code for r in (listing, one, sent_only, seen)} == {200}

    text_ = unescape(listing.text)
    parsed(listing.text)
    assert "Recruiters <2027>" in text_ and "&lt;2027&gt;" in listing.text  # escaped
    assert "Ethical recruitment self-assessment for labour recruiters" in text_
    assert DUE.isoformat() in text_ and "1 not sent, 1 opened" in text_
    # Due this month: both nodes' answers, neither submitted.
    assert (
        listing.text.count("<td>answers due</td>") == 2
        and "Agency One" in text_
        and "Agency Two" in text_
    )

    page_ = parsed(one.text)
    text_ = unescape(one.text)
    assert EMAIL_OFF in text_
    assert "7 and 1 days before the due date; 2 days after it" in text_
    assert "every 12 months after the last accepted assessment" in text_
    assert "Compliance team <compliance@brand.example>" in text_
    for external, status, language in (("R1", "opened", "ne"), ("R2", "not sent", "bn")):
        row = one.text.split(f'id="target-{api[external]["id"]}"', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="status">{status}</td>' in row, row
        assert f"<td>{language}</td>" in row
        assert "none (email is off)" in row
    assert sorted(page_.links) == sorted(t["invitation_url"] for t in api.values())
    assert all("/respond/fpi_" in link for link in page_.links)
    assert 'action="/dashboard/networks' in one.text and "Close the campaign" in one.text

    filtered = unescape(sent_only.text)
    assert "Agency One" in filtered and "Agency Two" not in filtered
    assert person.get(f"{base}/{created['id']}", params={"status": "lost"}).status_code == 422
    assert person.get(f"{base}/{created['id'] + 1}").status_code == 404

    # A viewer sees the statuses, the notice, and no link to copy.
    assert "opened" in unescape(seen.text) and EMAIL_OFF in unescape(seen.text)
    assert "/respond/fpi_" not in seen.text and "readonly" not in seen.text
    assert "Close the campaign" not in seen.text


def test_only_an_analyst_closes_a_campaign(
    world: World, client: TestClient, engine: Engine
) -> None:
    analyst = world.analyst_a
    network_id = recruiters(analyst)
    created = campaign(analyst, network_id)
    url = f"/dashboard/networks/{network_id}/campaigns/{created['id']}"
    state = f"/api/v1/networks/{network_id}/campaigns/{created['id']}"

    viewer = signed_in(client, engine, world.viewer_a.user_id)
    refused = viewer.post(f"{url}/close", data={"csrf": session_csrf(viewer)})
    assert refused.status_code == 403
    assert "Viewers cannot close campaigns" in refused.text
    assert analyst.get(state).json()["state"] == "active"

    person = signed_in(client, engine, analyst.user_id)
    forged = person.post(f"{url}/close", data={"csrf": "not-the-token"})
    assert forged.status_code == 403 and analyst.get(state).json()["state"] == "active"
    done = person.post(
        f"{url}/close", data={"csrf": csrf_of(person.get(url).text)}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    after = unescape(person.get(done.headers["location"]).text)
    assert "Campaign closed: no more emails or rounds." in after
    assert "Close the campaign" not in after
    assert analyst.get(state).json()["state"] == "closed"


class Refusing:
    """A mail server that takes Sita's email and refuses Rahim's mailbox for good."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: EmailMessage) -> None:
        if "rahim" in str(message["To"]):
            raise DeliveryError("550 5.1.1 mailbox unavailable", transient=False)
        self.sent.append(str(message["To"]))


def test_with_email_on_the_page_shows_each_last_email_and_its_error(
    world: World, client: TestClient, engine: Engine, app: FastAPI
) -> None:
    analyst = world.analyst_a
    network_id = recruiters(analyst)
    created = campaign(analyst, network_id)  # email off: nothing is sent yet
    on = app.state.settings.model_copy(update={"smtp_host": "127.0.0.1"})
    app.state.settings = on
    mailer = Refusing()
    outcome = run_campaigns(engine, on, campaign_id=created["id"], mailer=mailer)
    assert (outcome["email"], outcome["sent"], outcome["failed"]) == ("on", 1, 1)
    assert mailer.sent == ["Sita <sita@one.example>"]

    person = signed_in(client, engine, analyst.user_id)
    url = f"/dashboard/networks/{network_id}/campaigns"
    listing = unescape(person.get(url).text)
    assert "Email is off" not in listing
    assert "1 not sent, 1 sent" in listing and '<b class="bad">1</b>' in person.get(url).text

    one = person.get(f"{url}/{created['id']}")
    text_ = unescape(one.text)
    assert "Email is off" not in text_ and "1 failed send" in text_
    api = targets(analyst, network_id, created["id"])
    sita = one.text.split(f'id="target-{api["R1"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    rahim = one.text.split(f'id="target-{api["R2"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="status">sent</td>' in sita and "invitation: sent" in sita
    assert '<td class="num">1</td>' in sita
    assert '<td class="status">not sent</td>' in rahim
    assert '<b class="bad">failed</b>' in rahim and "550 5.1.1 mailbox unavailable" in rahim
    assert len(parsed(one.text).links) == 2  # the links stay, for an email that did not arrive


def test_the_create_form_refuses_naming_the_field_then_creates_the_campaign(
    world: World, client: TestClient, engine: Engine
) -> None:
    network_id = recruiters(world.analyst_a)
    person = signed_in(client, engine, world.analyst_a.user_id)
    url = f"/dashboard/networks/{network_id}/campaigns"
    form = {
        "csrf": csrf_of(person.get(url).text),
        "name": "From the form",
        "kinds": ["recruiter"],
        "countries": "np, bd",
        "due_date": DUE.isoformat(),
        "reminder_offsets": "-7, -1",
        "repeat_months": "12",
        "response_days": "30",
        "contact_name": "Compliance team",
        "contact_email": "compliance@brand.example",
        "language": "en",
        "contacts": "R1, Sita, sita@one.example, ne\nR2, Rahim, not-an-address, bn",
    }
    before = snapshot(engine)
    refused = person.post(url, data=form)
    assert refused.status_code == 422
    text_ = unescape(refused.text)
    assert "The campaign was not created.</b> 1 field is invalid." in text_
    assert "field contacts.1.email: not an email address: write it as name@domain.example" in text_
    assert "R2, Rahim, not-an-address, bn" in text_  # the form comes back as typed
    # Named as the page names the field, linked to it, and the field marked invalid.
    assert '<a href="#c-contacts">Respondents\' contacts, line 2</a>' in text_
    assert 'id="c-contacts" name="contacts" rows="4" aria-invalid="true"' in refused.text
    bad_line = person.post(url, data={**form, "contacts": "R1 sita@one.example"})
    assert bad_line.status_code == 422
    assert "row 1, field contacts: needs 3 or 4 values" in unescape(bad_line.text)
    assert snapshot(engine) == before  # nothing half-written

    fixed = {**form, "contacts": "R1, Sita, sita@one.example, ne\nR2, Rahim, rahim@two.example, bn"}
    created = person.post(url, data=fixed, follow_redirects=False)
    assert created.status_code == 303, created.text
    page = person.get(created.headers["location"])
    assert "Campaign created: every node below has its assessment and invitation link." in page.text
    shown = world.analyst_a.get(f"/api/v1/networks/{network_id}/campaigns").json()["items"][0]
    assert (shown["name"], shown["targets"], shown["repeat_months"]) == ("From the form", 2, 12)
    assert shown["reminder_offsets"] == [-7, -1]
    assert shown["selection"] == {"kinds": ["recruiter"], "countries": ["NP", "BD"]}
    languages = {
        t["node_external_id"]: t["language"]
        for t in targets(world.analyst_a, network_id, shown["id"]).values()
    }
    assert languages == {"R1": "ne", "R2": "bn"}

    viewer = signed_in(client, engine, world.viewer_a.user_id)
    assert 'id="create"' not in viewer.get(url).text
    assert viewer.post(url, data={**fixed, "csrf": session_csrf(viewer)}).status_code == 403
