"""The report as a PDF: cover, table of contents, numbered pages, vector heatmaps.

Laid out with ReportLab's platypus from the same ``ReportData`` the HTML uses: ``document``
holds the page template and styles, ``tables`` the cell helpers, ``sections`` one function per
section; ``render_pdf`` only puts the sections in order.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.platypus import Flowable

from audit.reports.heatmap import Heatmap
from audit.reports.pdf import sections
from audit.reports.pdf.document import ReportDocument, Styles, styles
from audit.reports.schemas import ReportData
from core.progress import Progress, no_progress

__all__ = ["render_pdf"]

# The contents page lists page numbers the first pass finds: the story is laid out twice.
_EXPECTED_PASSES = 2
# Reports of "laying out pages" per pass: often enough for a bar to move smoothly.
_LAYOUT_REPORTS = 100


def render_pdf(
    report: ReportData, figures: dict[str, Heatmap], *, progress: Progress = no_progress
) -> bytes:
    """``progress`` hears "preparing sections" (one step per section) and then "laying out
    pages" (the story's flowables laid out, once per pass: usually two)."""
    look = styles()
    story = _story(report, figures, look, progress)
    buffer = io.BytesIO()
    document = ReportDocument(buffer, report)
    layout = _Layout(progress, len(story))
    document.setProgressCallBack(layout)
    document.multiBuild(story)
    layout.finish()
    return buffer.getvalue()


def _story(
    report: ReportData, figures: dict[str, Heatmap], look: Styles, progress: Progress
) -> list[Flowable]:
    parts: list[Callable[[], list[Flowable]]] = [
        lambda: sections.cover(report, look),
        lambda: sections.contents(look),
        lambda: sections.headline(report, look),
        lambda: sections.critical_chain(report, look),
        lambda: sections.key_figures(report, look),
        lambda: sections.methodology(report, look),
        lambda: sections.sources(report, look),
        lambda: sections.network(report, look),
        lambda: sections.corridors(report, look),
        lambda: sections.gaps(report, look),
        lambda: sections.heatmaps(figures, look),
        lambda: sections.findings(report, look),
        lambda: sections.plan(report, look),
        lambda: sections.reimbursement(report, look),
        lambda: sections.crest(report, look),
        lambda: sections.scorecards(report, look),
    ]
    story: list[Flowable] = []
    progress("preparing sections", 0, len(parts))
    for done, part in enumerate(parts, 1):
        story.extend(part())
        progress("preparing sections", done, len(parts))
    return story


class _Layout:
    """ReportLab's build progress (``setProgressCallBack``) as "laying out pages": the story's
    flowables laid out so far over all passes, out of ``flowables`` times the passes expected.
    A flowable split across pages puts its remainder back in the story, so ReportLab's count
    can step back; what is reported never does."""

    def __init__(self, progress: Progress, flowables: int) -> None:
        self._progress = progress
        self._flowables = flowables
        self._step = max(1, flowables * _EXPECTED_PASSES // _LAYOUT_REPORTS)
        self._passes = 0
        self._done = 0
        self._reported = 0
        progress("laying out pages", 0, self._total)

    @property
    def _total(self) -> int:
        return self._flowables * max(_EXPECTED_PASSES, self._passes)

    def __call__(self, kind: str, value: int) -> None:
        if kind == "PASS":
            self._passes = value
            self._done = self._flowables * (value - 1)
            self._report()
        elif kind == "PROGRESS" and self._passes:
            base = self._flowables * (self._passes - 1)
            self._done = max(self._done, base + min(max(value, 0), self._flowables))
            if self._done - self._reported >= self._step:
                self._report()

    def _report(self) -> None:
        self._reported = self._done
        self._progress("laying out pages", self._done, self._total)

    def finish(self) -> None:
        """All passes done: the total is what they took."""
        total = self._flowables * self._passes
        self._progress("laying out pages", total, total)
