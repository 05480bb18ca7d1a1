"""The report as one self-contained HTML page (heatmaps inline as SVG, no external files)."""

from __future__ import annotations

from audit.reports.heatmap import Heatmap, to_svg
from audit.reports.schemas import ReportData
from templates import environment


def _inline_svg(figure: Heatmap, ident: str) -> str:
    """The SVG element without its XML prolog, so it can sit inside HTML."""
    svg = to_svg(figure, ident).decode("utf-8")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def render_html(report: ReportData, figures: dict[str, Heatmap]) -> str:
    template = environment().get_template("report/report.html")
    svgs = {name: _inline_svg(figure, name) for name, figure in figures.items()}
    return template.render(r=report, svgs=svgs)
