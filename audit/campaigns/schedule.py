"""When a campaign's emails and rounds are due, and what a target's status is: pure rules on
dates, so each can be checked by hand and tested without a database or a clock."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

# Waits before the second, third... try of an email refused for a reason that may pass (a
# server busy or unreachable): quick at first, then spread over an afternoon.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class TargetStatus(StrEnum):
    """Where one node stands in a campaign, in the order a respondent moves through them."""

    not_sent = "not_sent"
    sent = "sent"
    opened = "opened"
    in_progress = "in_progress"
    submitted = "submitted"
    overdue = "overdue"
    accepted = "accepted"


@dataclass(frozen=True)
class TargetFacts:
    assessment_status: str  # questionnaires.models.AssessmentStatus value
    due_date: date
    invitation_sent: bool
    link_opened: bool


def target_status(facts: TargetFacts, today: date) -> TargetStatus:
    """Accepted and submitted are final for the round; past the due date anything short of a
    submission is overdue, whatever was sent or opened."""
    if facts.assessment_status == "accepted":
        return TargetStatus.accepted
    if facts.assessment_status == "submitted":
        return TargetStatus.submitted
    if today > facts.due_date:
        return TargetStatus.overdue
    if facts.assessment_status in ("in_progress", "returned"):
        return TargetStatus.in_progress
    if facts.link_opened:
        return TargetStatus.opened
    if facts.invitation_sent:
        return TargetStatus.sent
    return TargetStatus.not_sent


@dataclass(frozen=True)
class ReminderPlan:
    send: int | None  # the offset to send now
    skip: tuple[int, ...]  # offsets already past that will never be sent


def reminders_due(
    due_date: date, offsets: Iterable[int], today: date, settled: Iterable[int]
) -> ReminderPlan:
    """The reminder to send today. Of several offsets already reached and not yet settled
    (sent, skipped, failed), only the latest goes out: a campaign started four days before
    its due date sends the three-day reminder, not the seven-day one as well."""
    done = set(settled)
    reached = sorted(o for o in set(offsets) if o not in done and due_date + timedelta(o) <= today)
    if not reached:
        return ReminderPlan(None, ())
    return ReminderPlan(reached[-1], tuple(reached[:-1]))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 January
    plus one month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_round_start(accepted_at: datetime, repeat_months: int) -> date:
    """A repeating campaign asks again this many months after the round was accepted."""
    return add_months(accepted_at.date(), repeat_months)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries, or None when they are used up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the month holding ``day``."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
