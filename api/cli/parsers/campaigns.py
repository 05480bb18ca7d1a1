"""``fairpath campaigns`` (run by ``api.cli.campaigns``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.base import handler
from api.cli.options import add_database_option

# audit.campaigns.schedule.TargetStatus, written out so that the parser imports no domain code
# (tests/api/test_cli_startup.py checks that they match).
STATUSES = (
    "not_sent",
    "sent",
    "opened",
    "in_progress",
    "submitted",
    "overdue",
    "accepted",
)


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands.add_parser(
        "campaigns",
        help="assessment campaigns: create, list, show their targets, send what is due",
    )
    actions = group.add_subparsers(dest="campaigns_command", metavar="ACTION", required=True)

    listed = actions.add_parser("list", help="a network's campaigns, newest first")
    listed.add_argument("network", type=int, metavar="NETWORK_ID", help="the network's id")
    add_database_option(listed)
    listed.set_defaults(handler=handler("campaigns", "list_command"))

    shown = actions.add_parser(
        "show",
        help="one campaign's settings and targets, with each status",
        description="Prints each node's current round: its status, contact and last email. "
        "When email is off (FAIRPATH_SMTP_HOST unset) it prints each invitation link too, to "
        "copy and send by hand.",
    )
    shown.add_argument("network", type=int, metavar="NETWORK_ID", help="the network's id")
    shown.add_argument("campaign", type=int, metavar="CAMPAIGN_ID", help="the campaign's id")
    shown.add_argument("--status", choices=STATUSES, help="only the targets with this status")
    add_database_option(shown)
    shown.set_defaults(handler=handler("campaigns", "show_command"))

    create = actions.add_parser(
        "create",
        help="create a campaign from a JSON file: the body POST .../campaigns takes",
        description="The file holds the JSON body of POST /api/v1/networks/{id}/campaigns: "
        "name, selection, due_date, contact_name, contact_email, and optionally "
        "questionnaire_id, reminder_offsets, repeat_months, response_days, language, "
        "contacts. Every node's assessment and invitation link is created at once; nothing "
        "is written when any field is refused.",
    )
    create.add_argument("network", type=int, metavar="NETWORK_ID", help="the network's id")
    create.add_argument(
        "--file", type=Path, required=True, metavar="FILE", help="the campaign as JSON"
    )
    add_database_option(create)
    create.set_defaults(handler=handler("campaigns", "create_command"))

    run = actions.add_parser(
        "run",
        help="record the emails due, start the rounds due, and send (once; for cron)",
        description="What a worker's periodic task does every minute, run once: for cron "
        "where no `fairpath worker` runs. With email off the rounds still start; nothing "
        "is sent.",
    )
    run.add_argument("--campaign", type=int, metavar="ID", help="only this campaign")
    add_database_option(run)
    run.set_defaults(handler=handler("campaigns", "run_command"))
