"""``fairpath campaigns list``, ``show``, ``create`` and ``run``.

``create`` takes the API's JSON body and goes through the same service, in one transaction, so
a refused campaign writes nothing. ``run`` is one pass of what a worker's periodic task does
(``api.jobs.campaigns.run_campaigns``), for cron where no worker runs. The shell is trusted, as
for every CLI command: any network can be named, and the invitation links are printed when
email is off, for sending by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from api.cli.common import CommandFailed, echo, engine_for, network_or_fail, settings_from
from api.jobs.campaigns import links_of, run_campaigns
from api.settings import Settings
from api.work import transaction
from audit.campaigns import presenters as views
from audit.campaigns import service as campaigns
from audit.campaigns.models import Campaign
from audit.campaigns.schedule import TargetStatus
from audit.campaigns.schemas import CampaignCreate, CampaignRead, SendRead, StatusCounts
from core.clock import utcnow
from core.errors import InvalidInput
from core.numbers import counted
from core.tenancy import Scope
from questionnaires import service as questionnaires
from supplychain.models import Network

EMAIL_OFF = (
    "Email is off: no SMTP server is configured (FAIRPATH_SMTP_HOST). "
    "Copy each link below and send it yourself."
)
PAGE = 200


def _email_on(settings: Settings) -> bool:
    return settings.smtp() is not None


def _counts(statuses: StatusCounts) -> str:
    found = [
        f"{number} {name.replace('_', ' ')}"
        for name, number in statuses.model_dump().items()
        if number
    ]
    return ", ".join(found) or "no target"


def _offsets(offsets: list[int]) -> str:
    if not offsets:
        return "none"
    return ", ".join(f"{o:+d}" for o in offsets) + " days from the due date"


def _line(c: CampaignRead) -> str:
    due = c.due_date.isoformat() if c.due_date else "-"
    failed = f"; {counted(c.failed_sends, 'failed send', 'failed sends')}" if c.failed_sends else ""
    return (
        f"  {c.id:>4}  {c.state:<6}  {c.name}  ({c.questionnaire}; first due {due}; "
        f"{counted(c.targets, 'node', 'nodes')}: {_counts(c.statuses)}{failed})"
    )


def list_command(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    today = utcnow().date()
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        rows: list[Campaign] = []
        while True:
            found, total = campaigns.list_campaigns(
                session, network=network, limit=PAGE, offset=len(rows)
            )
            rows.extend(found)
            if not found or len(rows) >= total:
                break
        email = "on" if _email_on(settings) else "off (no SMTP server is configured)"
        echo(
            f"Network {network.id} {network.name!r}: "
            f"{counted(len(rows), 'campaign', 'campaigns')}, email {email}"
        )
        if not rows:
            echo(
                f"Create one with `fairpath campaigns create {network.id} --file campaign.json` "
                f"or POST /api/v1/networks/{network.id}/campaigns."
            )
        for campaign in rows:
            read = views.campaign_read(session, campaign, today=today, email_on=_email_on(settings))
            echo(_line(read))
    return 0


def _last_email(sends: list[SendRead]) -> str:
    if not sends:
        return "none"
    send = sends[-1]
    what = "invitation" if send.kind == "invitation" else f"reminder {send.offset_days:+d}"
    state = "retrying" if send.state == "pending" and send.attempts else send.state
    at = f" {send.sent_at:%Y-%m-%d %H:%M}" if send.sent_at else ""
    error = f" ({send.last_error})" if send.last_error else ""
    return f"{what} {state}{at}, {counted(send.attempts, 'try', 'tries')}{error}"


def _show(
    session: Session, settings: Settings, network: Network, campaign: Campaign, status: str | None
) -> None:
    today = utcnow().date()
    email_on = _email_on(settings)
    read = views.campaign_read(session, campaign, today=today, email_on=email_on)
    echo(f"Campaign {read.id} {read.name!r} in network {network.id} {network.name!r}: {read.state}")
    echo(f"Questionnaire:  {read.questionnaire}")
    echo(f"First due date: {read.due_date.isoformat() if read.due_date else '-'}")
    echo(f"Reminders:      {_offsets(read.reminder_offsets)}")
    repeats = (
        f"every {counted(read.repeat_months, 'month', 'months')} after acceptance "
        f"({counted(read.response_days, 'day', 'days')} to answer)"
        if read.repeat_months
        else "no (one round)"
    )
    echo(f"Repeats:        {repeats}")
    echo(f"Contact:        {read.contact_name} <{read.contact_email}>")
    echo(f"Statuses:       {_counts(read.statuses)}")
    if read.failed_sends:
        echo(f"Failed sends:   {read.failed_sends}")
    echo(
        EMAIL_OFF
        if not email_on
        else "Email is on: links are printed for nodes without an email address."
    )
    chosen = TargetStatus(status) if status else None
    found = campaigns.target_views(session, campaign, today=today, status=chosen)
    links = links_of(settings)
    echo("")
    echo(f"Targets ({len(found)}{f', {status}' if status else ''}):")
    for view in found:
        # The link to copy: every one when email is off, else those no email can carry.
        by_hand = not email_on or not view.target.contact_email
        t = views.target_read(view, today=today, links=links, show_link=by_hand)
        contact = " ".join(
            x for x in (t.contact_name, f"<{t.contact_email}>" if t.contact_email else "") if x
        )
        echo(
            f"  {t.node_external_id[:22]:<22} {t.node_name}  round {t.round}, due "
            f"{t.due_date.isoformat()}: {t.status.value.replace('_', ' ')}; "
            f"{contact or 'no contact'} ({t.language}); last email: {_last_email(t.sends)}"
        )
        if t.invitation_url:
            echo(f"      {t.invitation_url}")


def show_command(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        campaign = campaigns.get_campaign(session, network=network, campaign_id=args.campaign)
        _show(session, settings, network, campaign, args.status)
    return 0


def _problems(error: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as the API names them: the field, and the message without the
    "Value error, " a validator's own words get."""
    items = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        message = str(item.get("msg", "Invalid value")).removeprefix("Value error, ")
        if item.get("type") == "extra_forbidden":
            message = "Unknown field: not part of a campaign"
        items.append({"field": where or "body", "message": message})
    return items


def read_campaign(path: Path) -> CampaignCreate:
    """The campaign a JSON file holds, or one line per problem (never a traceback)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandFailed(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CommandFailed(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    if not isinstance(data, dict):
        raise CommandFailed(f"{path}: the campaign must be a JSON object {{...}}")
    try:
        return CampaignCreate.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        raise InvalidInput(
            f"{path}: {counted(len(problems), 'problem', 'problems')}; nothing was created",
            errors=problems,
        ) from exc


def create_command(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    data = read_campaign(args.file)
    now = utcnow()
    engine = engine_for(args)
    with transaction(engine) as session:
        questionnaires.ensure_library(session)  # a database no server has started yet
        network = network_or_fail(session, args.network)
        campaign = campaigns.create_campaign(
            session,
            scope=Scope.everything(),
            network=network,
            data=data,
            actor=questionnaires.Actor.user(None, "admin"),
            links=links_of(settings),
            today=now.date(),
            invitation_days=settings.invitation_days,
        )
        shown = campaigns.target_views(session, campaign, today=now.date())
        links = links_of(settings)
        email_on = _email_on(settings)
        copies = [
            f"  {v.node.external_id[:22]:<22} {v.node.name}  {links.form(v.target)}"
            for v in shown
            if not email_on or not v.target.contact_email
        ]
    echo(
        f"Created campaign {campaign.id} {campaign.name!r} in network {network.id}: "
        f"{counted(len(shown), 'node', 'nodes')} asked, due {data.due_date.isoformat()}."
    )
    if email_on:
        echo(
            "Email is on: the invitations go out at a worker's next run (every minute), or now "
            f"with `fairpath campaigns run --campaign {campaign.id}`."
        )
        if copies:
            echo("These nodes have no email address: copy each link and send it yourself.")
    else:
        echo(EMAIL_OFF)
    for line in copies:
        echo(line)
    return 0


def run_command(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    engine = engine_for(args)
    if args.campaign is not None:
        with Session(engine) as session:
            if session.get(Campaign, args.campaign) is None:
                raise CommandFailed(f"Campaign {args.campaign} was not found")
    outcome = run_campaigns(engine, settings, campaign_id=args.campaign)
    which = f"campaign {args.campaign}" if args.campaign is not None else "every active campaign"
    echo(
        f"Ran {which}: {counted(outcome['planned'], 'email', 'emails')} newly due, "
        f"{counted(outcome['rounds_started'], 'round', 'rounds')} started."
    )
    if outcome["email"] == "off":
        echo(
            "Email is off: no SMTP server is configured (FAIRPATH_SMTP_HOST); nothing was sent. "
            "`fairpath campaigns show` prints the links to send by hand."
        )
        return 0
    echo(
        f"Email is on: {outcome['sent']} sent, {outcome['retrying']} to retry later, "
        f"{outcome['failed']} failed."
    )
    return 0
