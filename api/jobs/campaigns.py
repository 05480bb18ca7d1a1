"""Running campaigns: record what is owed, then send it. The job queue's periodic task calls
this every minute on each consumer (claims keep two from sending one email), a
``campaign-send`` job calls it for one campaign right after it is created, and ``fairpath
campaigns run`` calls it from cron where no worker runs.

Each email is its own short transaction on either side of the SMTP conversation, so a slow
mail server never holds a database lock, and a crash between sending and recording leaves a
claim that is taken again later (one email twice at worst, never none). Logs name the send and
target, never the link: it carries the invitation token.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from api.settings import Settings
from api.work import transaction
from audit.campaigns import service as campaigns
from audit.campaigns.emails import EmailFacts, compose
from audit.campaigns.mail import DeliveryError, Mailer, SmtpMailer
from audit.campaigns.models import SendState
from core.clock import utcnow

log = logging.getLogger("fairpath.campaigns")


def links_of(settings: Settings) -> campaigns.Links:
    return campaigns.Links(settings.invitation_base_url(), settings.signing_key())


def run_campaigns(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime | None = None,
    campaign_id: int | None = None,
    mailer: Mailer | None = None,
) -> dict[str, Any]:
    moment = now or utcnow()
    links = links_of(settings)
    with transaction(engine) as session:
        planned = campaigns.plan(
            session,
            now=moment,
            links=links,
            invitation_days=settings.invitation_days,
            emails=settings.smtp() is not None,
            campaign_id=campaign_id,
        )
    outcome: dict[str, Any] = {
        "email": "off",
        "planned": planned.planned,
        "rounds_started": planned.rounds_started,
        "sent": 0,
        "retrying": 0,
        "failed": 0,
    }
    smtp = settings.smtp()
    if smtp is None:
        return outcome
    outcome["email"] = "on"
    sender = mailer or SmtpMailer(smtp)
    while True:  # in batches, until nothing owed now is left (a large campaign's invitations)
        with transaction(engine) as session:
            claimed = campaigns.claim(session, now=moment, campaign_id=campaign_id)
        if not claimed:
            break
        _send_batch(engine, claimed, links, smtp.sender, sender, moment, outcome)
    return outcome


def _send_batch(
    engine: Engine,
    claimed: list[int],
    links: campaigns.Links,
    from_address: str,
    sender: Mailer,
    moment: datetime,
    outcome: dict[str, Any],
) -> None:
    counts = {SendState.sent: "sent", SendState.pending: "retrying", SendState.failed: "failed"}
    for send_id in claimed:
        with transaction(engine) as session:
            item = campaigns.outgoing(session, send_id, links=links, today=moment.date())
        if item is None:
            continue
        message = compose(EmailFacts(**item.facts), from_address, moment)
        error, transient = None, False
        try:
            sender.send(message)
        except DeliveryError as refused:
            error, transient = refused.reason, refused.transient
        with transaction(engine) as session:
            state = campaigns.record_result(
                session, send_id, now=moment, error=error, transient=transient
            )
        if state in counts:
            outcome[counts[state]] += 1
        log.info(
            "campaign email %s (%s) for target %s: %s%s",
            send_id,
            item.facts["kind"],
            item.send.target_id,
            state.value,
            f" ({error})" if error else "",
        )
