"""The invitation and reminder emails, in the respondent's language, from the same message
catalogues as the form: plain text, with an HTML alternative carrying the same words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from templates import environment
from templates.messages import translator

# The catalogue keys of each kind of email (tests check each key exists and is used).
SUBJECTS = {
    "invitation": "email.invitation.subject",
    "renewal": "email.renewal.subject",
    "reminder": "email.reminder.subject",
    "overdue": "email.overdue.subject",
}
BODIES = {
    "invitation": "email.invitation.body",
    "renewal": "email.renewal.body",
    "reminder": "email.reminder.body",  # a counted phrase: the days left
    "due_today": "email.due_today.body",  # a reminder on the due date itself
    "overdue": "email.overdue.body",
}


@dataclass(frozen=True)
class EmailFacts:
    """Everything an email says, gathered by the service; nothing here reads the database."""

    kind: str  # "invitation", "renewal", "reminder", "overdue"
    language: str
    organisation: str
    respondent: str  # the node's name
    contact_name: str  # the recipient's name, may be empty
    recipient: str
    questionnaire: str
    due_date: date
    days_left: int
    link: str
    stop_link: str | None  # reminders only: where to stop them
    campaign_contact_name: str
    campaign_contact_email: str


def compose(facts: EmailFacts, sender: str, now: datetime) -> EmailMessage:
    t = translator(facts.language)
    due = t.date(facts.due_date)
    names = {
        "organisation": facts.organisation,
        "questionnaire": facts.questionnaire,
        "due_date": due,
        "respondent": facts.respondent,
    }
    subject = t.text(SUBJECTS[facts.kind], **names)
    if facts.kind == "reminder" and facts.days_left == 0:  # not "due in 0 days"
        body = t.text(BODIES["due_today"], **names)
    elif facts.kind == "reminder":
        body = str(t.plural(BODIES[facts.kind], facts.days_left, **names).unescape())
    else:
        body = t.text(BODIES[facts.kind], **names)
    greeting = (
        t.text("email.greeting", name=facts.contact_name)
        if facts.contact_name
        else t.text("email.greeting_no_name")
    )
    words = {
        "greeting": greeting,
        "body": body,
        "open_label": t.text("email.open"),
        "button": t.text("email.button"),
        "personal": t.text("email.personal", respondent=facts.respondent),
        "contact": t.text(
            "email.contact",
            contact_name=facts.campaign_contact_name,
            contact_email=facts.campaign_contact_email,
        ),
        "signature": t.text("email.signature", organisation=facts.organisation),
        "stop_label": t.text("email.stop"),
        "stop_button": t.text("email.stop_button"),
    }
    lines = [greeting, "", body, "", words["open_label"], facts.link, "", words["personal"], ""]
    lines += [words["contact"], "", words["signature"]]
    if facts.stop_link:
        lines += ["", "--", words["stop_label"], facts.stop_link]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = Address(display_name=facts.contact_name, addr_spec=facts.recipient)
    message["Reply-To"] = Address(
        display_name=facts.campaign_contact_name, addr_spec=facts.campaign_contact_email
    )
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="fairpath.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines) + "\n")
    html = (
        environment()
        .get_template("email/message.html")
        .render(
            language=t.language,
            subject=subject,
            link=facts.link,
            stop_link=facts.stop_link,
            **words,
        )
    )
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = t.language  # after the body: set_content clears Content-*
    return message
