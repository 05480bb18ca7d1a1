"""The reports list the whole plan and show the fee arithmetic; an unknown is never USD 0."""

from __future__ import annotations

import html as html_lib
import io
import re

from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session

from audit.reports.data import build_report_with_figures, money_text
from audit.reports.html import render_html
from audit.reports.pdf import render_pdf
from tests.audit.test_report import NOW, _network
from tests.audit.test_report import seafood as seafood  # the fixture

ZERO_DOLLARS = re.compile(r"USD 0(?![\d.,])")


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_money_text_never_says_zero_for_an_unknown() -> None:
    assert money_text(107142.86, 0) == "USD 107,143"
    assert money_text(107142.86, 2) == "at least USD 107,143 (2 parts without an amount)"
    assert money_text(0, 1) == "an unknown amount (1 part without an amount)"
    assert money_text(0, 0) == "USD 0"  # nothing reported, and nothing unknown


def test_pdf_and_html_list_every_action_and_the_fee_arithmetic(
    engine: Engine, seafood: int
) -> None:
    with Session(engine) as session:
        bundle = build_report_with_figures(session, _network(session, seafood), NOW)
    report = bundle.report
    assert len(report.plan) > 25  # more than the old cut-off of 25 actions
    grouped = [a.id for g in report.plan_groups for a in g.actions]
    assert sorted(grouped) == sorted(a.id for a in report.plan)
    page = html_lib.unescape(render_html(report, bundle.figures))
    pdf = PdfReader(io.BytesIO(render_pdf(report, bundle.figures)))
    pdf_text = _words(" ".join(p.extract_text() for p in pdf.pages))
    for action in report.plan:
        assert action.title in page, action.title
    # Every plan row is in the PDF's plan table: count the due dates printed there.
    plan_pages = pdf_text[pdf_text.rindex("6. Remediation plan and fee reimbursement") :]
    plan_pages = plan_pages[: plan_pages.index("Recruitment fees owed to workers")]
    due_dates = {a.due_date for a in report.plan}
    assert sum(plan_pages.count(due) for due in due_dates) == len(report.plan)
    # The repayment action shows what is owed and what is still owed.
    owed = "Owed to 150 workers: MMK 225,000,000.00 = USD 107,142.86; nothing paid yet"
    assert owed in plan_pages
    # The reported line's arithmetic, with rate, rate year and source, in both.
    arithmetic = "MMK 1,500,000 x 150 workers = MMK 225,000,000; / 2100 MMK per USD (2023,"
    assert arithmetic in page and arithmetic in pdf_text
    assert "Myanmar Digital News" in page and "USD 107,142.86" in pdf_text
    # Estimates exist only in months of earnings without a wage: unknown, never USD 0.
    assert report.key_figures.fees_estimated_text.startswith("an unknown amount")
    assert "an unknown amount (" in pdf_text and "an unknown amount (" in page
    assert not ZERO_DOLLARS.search(pdf_text), ZERO_DOLLARS.search(pdf_text)
    assert not ZERO_DOLLARS.search(_words(re.sub(r"<[^>]+>", " ", page)))
