"""The report as a PDF: cover, table of contents, numbered pages, vector heatmaps.

Laid out with ReportLab's platypus from the same ``ReportData`` the HTML uses: ``document``
holds the page template and styles, ``tables`` the cell helpers, ``sections`` one function per
section; ``render_pdf`` only puts the sections in order.
"""

from __future__ import annotations

import io

from audit.reports.heatmap import Heatmap
from audit.reports.pdf import sections
from audit.reports.pdf.document import ReportDocument, styles
from audit.reports.schemas import ReportData

__all__ = ["render_pdf"]


def render_pdf(report: ReportData, figures: dict[str, Heatmap]) -> bytes:
    look = styles()
    story = [
        *sections.cover(report, look),
        *sections.contents(look),
        *sections.headline(report, look),
        *sections.critical_chain(report, look),
        *sections.key_figures(report, look),
        *sections.methodology(report, look),
        *sections.sources(report, look),
        *sections.network(report, look),
        *sections.corridors(report, look),
        *sections.gaps(report, look),
        *sections.heatmaps(figures, look),
        *sections.findings(report, look),
        *sections.plan(report, look),
        *sections.reimbursement(report, look),
        *sections.scorecards(report, look),
    ]
    buffer = io.BytesIO()
    ReportDocument(buffer, report).multiBuild(story)
    return buffer.getvalue()
