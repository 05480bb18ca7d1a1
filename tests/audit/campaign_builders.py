"""Helpers shared by the campaign tests: a recruiter network, a campaign through the API, and
an SMTP server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from tests.builders import Actor, edge, network_with, node

RECRUITERS = [
    node("R-NE", "recruiter", "Himal Manpower", country="NP", role="origin_agency"),
    node("R-BN", "recruiter", "Padma Overseas", country="BD", role="origin_agency"),
    node("R-EN", "recruiter", "Klang Staffing", country="MY", role="destination_agency"),
]


def recruiter_network(actor: Actor) -> int:
    nodes = [node("C", "company", "Buyer", country="GB"), *RECRUITERS]
    edges = [
        edge("R-NE", "C", "recruits_for", origin="NP", destination="MY", workers=40),
        edge("R-BN", "C", "recruits_for", origin="BD", destination="MY", workers=30),
        edge("R-EN", "C", "recruits_for", origin="NP", destination="MY", workers=20),
    ]
    return int(network_with(actor, nodes, edges)["id"])


def campaign_body(due_date: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": "Recruiters 2027",
        "selection": {"kinds": ["recruiter"]},
        "due_date": due_date,
        "reminder_offsets": [-7, -3, -1, 2],
        "contact_name": "Compliance team",
        "contact_email": "compliance@buyer.example",
        "contacts": [
            {"node": "R-NE", "name": "Sita", "email": "sita@himal.example", "language": "ne"},
            {"node": "R-BN", "name": "Rahim", "email": "rahim@padma.example", "language": "bn"},
            {"node": "R-EN", "name": "Aisha", "email": "aisha@klang.example", "language": "en"},
        ],
        **fields,
    }


@dataclass
class Inbox:
    """What the test SMTP server received, and the replies it should give instead of 250."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]
