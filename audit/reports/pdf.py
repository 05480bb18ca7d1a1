"""The report as a PDF: cover, table of contents, numbered pages, vector heatmaps.

Laid out with ReportLab's platypus from the same ``ReportData`` the HTML uses. Every piece of
text from users goes through ``escape`` before it reaches a Paragraph, whose mini-markup would
otherwise interpret a node named ``<b>`` or ``&``.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from audit.reports.data import ReportData
from audit.reports.heatmap import FONT, FONT_BOLD, Heatmap, _register_fonts, drawing

ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#d0d0d0")
HEADER_BG = colors.HexColor("#eef1f5")
BAND_COLOURS = {
    "critical": colors.HexColor("#bd0026"),
    "high": colors.HexColor("#f03b20"),
    "medium": colors.HexColor("#fd8d3c"),
    "low": colors.HexColor("#fecc5c"),
}
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=13)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        "muted": ParagraphStyle(
            "muted", parent=body, fontSize=8, textColor=colors.HexColor("#555555")
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cell_right": ParagraphStyle(
            "cell_right", parent=body, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=20,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=26, leading=32, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=12, leading=16, textColor=colors.HexColor("#555555")
        ),
        "alert": ParagraphStyle(
            "alert",
            parent=body,
            backColor=colors.HexColor("#fdf0f2"),
            borderColor=BAND_COLOURS["critical"],
            borderWidth=0.8,
            borderPadding=6,
            spaceBefore=6,
            spaceAfter=10,
        ),
    }


class ReportDocument(BaseDocTemplate):
    """Registers section headings with the table of contents and draws page furniture."""

    def __init__(self, buffer: io.BytesIO, report: ReportData) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN,
            title=f"Recruitment due diligence report: {report.meta['network']}",
            author="Fairpath",
            subject="Ethical recruitment audit report",
        )
        self.report = report
        frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN - 4 * mm, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame], onPage=self._cover_page),
                PageTemplate(id="body", frames=[frame], onPage=self._body_page),
            ]
        )

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (ReportLab's name)
        if isinstance(flowable, Paragraph) and flowable.style.name in ("h1", "h2"):
            level = 0 if flowable.style.name == "h1" else 1
            text = flowable.getPlainText()
            key = f"section-{self.seq.nextf('toc')}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
            self.notify("TOCEntry", (level, text, self.page, key))

    def _cover_page(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - 28 * mm, PAGE_WIDTH, 28 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(FONT_BOLD, 12)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 17 * mm, "Ethical recruitment due diligence")
        canvas.restoreState()

    def _body_page(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(
            MARGIN,
            PAGE_HEIGHT - MARGIN + 2 * mm,
            f"{self.report.meta['company']} · {self.report.meta['network']}",
        )
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN,
            PAGE_HEIGHT - MARGIN + 2 * mm,
            f"Audit report · {self.report.meta['date']}",
        )
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, PAGE_HEIGHT - MARGIN, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN)
        canvas.drawString(
            MARGIN, MARGIN - 8 * mm, f"Fairpath {self.report.meta['fairpath_version']}"
        )
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8 * mm, f"Page {doc.page}")
        canvas.restoreState()


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _num(value: float | int | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _table(
    rows: list[list[Any]],
    widths: list[float],
    styles: dict[str, ParagraphStyle],
    right: tuple[int, ...] = (),
    band_column: int | None = None,
) -> Table:
    """A header row and body rows of plain values, wrapped in Paragraphs so text never spills."""
    cell, cell_right = styles["cell"], styles["cell_right"]
    data = []
    for index, row in enumerate(rows):
        rendered = []
        for column, value in enumerate(row):
            if isinstance(value, Flowable):
                rendered.append(value)
                continue
            if index > 0 and column == band_column:
                rendered.append(_band_cell(str(value), styles))
                continue
            text = escape(str(value))
            if index == 0:
                text = f"<b>{text}</b>"
            rendered.append(Paragraph(text, cell_right if column in right else cell))
        data.append(rendered)
    table = Table(data, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if band_column is not None:
        for index, row in enumerate(rows[1:], start=1):
            band = str(row[band_column])
            if band in BAND_COLOURS:
                commands.append(
                    ("BACKGROUND", (band_column, index), (band_column, index), BAND_COLOURS[band])
                )
    table.setStyle(TableStyle(commands))
    return table


def _band_cell(band: str | None, styles: dict[str, ParagraphStyle]) -> Paragraph:
    colour = "#ffffff" if band in ("critical", "high") else "#1a1a1a"
    return Paragraph(f'<font color="{colour}"><b>{escape(band or "")}</b></font>', styles["cell"])


def _scaled(figure: Heatmap, max_height: float) -> Drawing:
    art = drawing(figure)
    scale = min(1.0, CONTENT_WIDTH / art.width, max_height / art.height)
    art.scale(scale, scale)
    art.width, art.height = art.width * scale, art.height * scale
    return art


def render_pdf(report: ReportData, figures: dict[str, Heatmap]) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = ReportDocument(buffer, report)
    story: list[Flowable] = []
    meta, key = report.meta, report.key_figures

    # Cover
    story += [
        Spacer(1, 40 * mm),
        _p("Recruitment due diligence report", styles["subtitle"]),
        Spacer(1, 3 * mm),
        _p(meta["network"], styles["title"]),
        Spacer(1, 10 * mm),
    ]
    cover_rows = [
        ["", ""],
        ["Company", meta["company"]],
        ["Network", f"#{meta['network_id']} (version {meta['network_version']})"],
        ["Date", meta["date"]],
        ["Scope", meta["scope"]],
        ["Prepared with", f"Fairpath {meta['fairpath_version']}"],
    ]
    cover = _table(cover_rows, [0.22, 0.78], styles)
    cover.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.white),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    story += [cover, NextPageTemplate("body"), PageBreak()]

    # Contents
    toc = TableOfContents()
    toc.levelStyles = [
        ParagraphStyle("toc1", fontName=FONT_BOLD, fontSize=10, leading=16, leftIndent=0),
        ParagraphStyle("toc2", fontName=FONT, fontSize=9, leading=13, leftIndent=12),
    ]
    story += [Paragraph("Contents", styles["h1"]), toc, PageBreak()]

    # 1. Executive summary
    story.append(Paragraph("1. Executive summary", styles["h1"]))
    for line in report.headline:
        story.append(_p(f"• {line}", styles["body"]))
    if report.critical_chain:
        story.append(
            Paragraph(
                "<b>Critical chain:</b> " + escape(" > ".join(report.critical_chain)),
                styles["alert"],
            )
        )
    figures_rows = [
        ["Key figure", "Value", "Key figure", "Value"],
        [
            "Overall exposure",
            f"{_num(key.exposure)} ({key.exposure_band or 'n/a'})",
            "Critical findings",
            str(key.critical_findings),
        ],
        ["Suppliers", str(key.suppliers), "Recruiters", str(key.recruiters)],
        [
            "Recruitment corridors",
            str(key.corridors),
            "Workers recruited",
            _num(key.recruited_workers),
        ],
        [
            "Assessments accepted",
            str(key.assessments_accepted),
            "Awaiting review",
            str(key.assessments_submitted),
        ],
        [
            "Fees owed to workers (reported)",
            f"USD {_num(key.fees_owed_usd)}",
            "Estimated where unassessed",
            f"USD {_num(key.fees_estimated_usd)}",
        ],
        [
            "Remediation actions",
            str(key.actions_total),
            "Overdue / verified",
            f"{key.actions_overdue} / {key.actions_verified}",
        ],
    ]
    story += [Spacer(1, 4 * mm), _table(figures_rows, [0.3, 0.2, 0.3, 0.2], styles, right=(1, 3))]

    # 2. Scope and methodology
    story += [PageBreak(), Paragraph("2. Scope and methodology", styles["h1"])]
    story.append(_p(report.methodology["summary"], styles["body"]))
    story.append(Paragraph("Questionnaires", styles["h2"]))
    story.append(
        _p(
            ", ".join(report.methodology["questionnaires"])
            or "No assessment has been answered yet.",
            styles["body"],
        )
    )
    profile = report.methodology["profile"]
    story.append(Paragraph(f"Scoring profile {escape(profile['version'])}", styles["h2"]))
    story.append(
        _table(
            [
                ["Weight", "Value", "Weight", "Value"],
                [
                    "Country",
                    profile["country_weight"],
                    "Compliance in node risk",
                    profile["compliance_weight"],
                ],
                ["Sector", profile["sector_weight"], "Decay per hop", profile["decay"]],
                [
                    "Corridor costs",
                    profile["corridor_weight"],
                    "Assessment maximum age (days)",
                    profile["assessment_max_age_days"],
                ],
                [
                    "Recruiter role",
                    profile["role_weight"],
                    "Bands (medium / high)",
                    f"{profile['band_medium']} / {profile['band_high']}",
                ],
                [
                    "Data gaps",
                    profile["data_gap_weight"],
                    "Red-flag risk floor",
                    profile["red_flag_floor"],
                ],
            ],
            [0.3, 0.15, 0.4, 0.15],
            styles,
            right=(1, 3),
        )
    )
    if report.methodology["overrides"]:
        story.append(
            _p(
                "Organisation overrides: " + "; ".join(report.methodology["overrides"]),
                styles["body"],
            )
        )
    story.append(Paragraph("Reference data used", styles["h2"]))
    story.append(
        _table(
            [["Figure", "Source", "Year"]] + [[s.data, s.source, s.year] for s in report.sources],
            [0.25, 0.63, 0.12],
            styles,
        )
    )

    # 3. The network
    story += [PageBreak(), Paragraph("3. The network", styles["h1"])]
    tiers = sorted(report.network["tiers"].items())
    roles = sorted(report.network["recruiters_by_role"].items())
    rows = [["Suppliers by tier", "Count", "Recruiters by role", "Count"]]
    for index in range(max(len(tiers), len(roles))):
        tier = tiers[index] if index < len(tiers) else ("", "")
        role = roles[index] if index < len(roles) else ("", "")
        rows.append(
            [f"Tier {tier[0]}" if tier[0] else "", tier[1], str(role[0]).replace("_", " "), role[1]]
        )
    story.append(_table(rows, [0.3, 0.2, 0.3, 0.2], styles, right=(1, 3)))
    story.append(Paragraph("Recruitment corridors", styles["h2"]))
    corridor_rows: list[list[Any]] = [
        [
            "Corridor",
            "Workers",
            "Recruiters",
            "Band",
            "Worst",
            "Worker-weighted",
            "Survey cost",
            "Reported fee",
        ]
    ]
    for c in report.top_rows("corridors", report.corridors):
        survey = (
            "; ".join(f"{f.value}{' (est.)' if f.estimate else ''}" for f in c.reference_costs[:1])
            or "none"
        )
        corridor_rows.append(
            [
                f"{c.origin_name} > {c.destination_name}",
                _num(c.workers),
                c.recruiters,
                c.band or "",
                _num(c.worst_risk),
                _num(c.worker_weighted_risk),
                survey,
                f"USD {_num(c.reported_median_usd)}" if c.reported_median_usd else "-",
            ]
        )
    story.append(
        _table(
            corridor_rows,
            [0.2, 0.08, 0.08, 0.09, 0.07, 0.1, 0.26, 0.12],
            styles,
            right=(1, 2, 4, 5, 7),
            band_column=3,
        )
    )
    if len(report.corridors) > report.top["corridors"]:
        story.append(
            _p(
                f"{len(report.corridors) - report.top['corridors']} more corridors in "
                "the JSON report.",
                styles["muted"],
            )
        )
    story.append(Paragraph("Visibility gaps", styles["h2"]))
    story.append(
        _table(
            [["Gap", "Node", "Detail"]]
            + [
                [g["title"], g["node"] or "", g["message"]]
                for g in report.top_rows("gaps", report.gaps)
            ],
            [0.28, 0.27, 0.45],
            styles,
        )
    )
    if len(report.gaps) > report.top["gaps"]:
        story.append(
            _p(
                f"{len(report.gaps) - report.top['gaps']} more gaps in the JSON report.",
                styles["muted"],
            )
        )

    # 4. Heatmaps
    story += [PageBreak(), Paragraph("4. Heatmaps", styles["h1"])]
    captions = {
        "corridors": "Corridor heatmap",
        "sectors": "Corridors by employer's sector",
        "principles": "Principle heatmap",
    }
    for name, caption in captions.items():
        art = _scaled(figures[name], PAGE_HEIGHT * 0.62)
        story.append(CondPageBreak(art.height + 20 * mm))
        story.append(KeepTogether([Paragraph(caption, styles["h2"]), art]))

    # 5. Findings
    story += [PageBreak(), Paragraph("5. Findings", styles["h1"])]
    story.append(
        _p(
            "Open findings: "
            + ", ".join(f"{n} {s}" for s, n in report.findings_total.items())
            + ".",
            styles["body"],
        )
    )
    for severity, items in report.findings.items():
        if not items:
            continue
        story.append(Paragraph(f"{severity.capitalize()} ({len(items)})", styles["h2"]))
        rows = [["Finding", "Evidence", "Chain to the company"]]
        for finding in report.top_rows("findings", items):
            label = f"{finding.title}\n{finding.code}" + (
                f" · {finding.principle_label}" if finding.principle_label else ""
            )
            rows.append([label, finding.detail, " > ".join(s.name for s in finding.chain)])
        story.append(_table(rows, [0.34, 0.36, 0.3], styles))
        if len(items) > report.top["findings"]:
            story.append(
                _p(
                    f"{len(items) - report.top['findings']} more {severity} findings in "
                    "the JSON report.",
                    styles["muted"],
                )
            )

    # 6. Remediation plan and reimbursement
    story += [PageBreak(), Paragraph("6. Remediation plan and fee reimbursement", styles["h1"])]
    metrics = report.plan_metrics
    story.append(
        _p(
            f"{metrics['total']} actions: "
            + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in metrics["by_status"].items())
            + f"; {metrics['overdue']} overdue.",
            styles["body"],
        )
    )
    rows = [["Severity", "Action", "Owner", "Due", "Status"]]
    for action in report.top_rows("actions", report.plan):
        rows.append(
            [
                action.severity,
                action.title,
                action.owner_name,
                action.due_date + (" (overdue)" if action.overdue else ""),
                action.status.replace("_", " "),
            ]
        )
    story.append(_table(rows, [0.11, 0.41, 0.24, 0.12, 0.12], styles, band_column=0))
    if len(report.plan) > report.top["actions"]:
        story.append(
            _p(
                f"{len(report.plan) - report.top['actions']} more actions in the plan "
                "export (CSV/XLSX).",
                styles["muted"],
            )
        )
    money = report.reimbursement
    story.append(Paragraph("Recruitment fees owed to workers", styles["h2"]))
    local = ", ".join(f"{c} {_num(v)}" for c, v in money["reported_local"].items())
    story.append(
        _p(
            f"Reported in assessments: USD {_num(money['reported_usd'])}"
            + (f" ({local})" if local else "")
            + ". Estimated from survey costs where "
            f"nobody was assessed: USD {_num(money['estimated_usd'])} (estimate, not "
            "added).",
            styles["body"],
        )
    )
    rows = [["Who", "Per worker", "Workers", "Owed (USD)", "Basis"]]
    for line in money["lines"][:15]:
        per_worker = (
            f"{line['currency']} {_num(line['per_worker_local'])} = "
            if line["per_worker_local"]
            else ""
        ) + f"USD {_num(line['per_worker_usd'])}"
        basis = "; ".join(
            [
                line["usd_basis"],
                line["workers_basis"],
                *line["notes"],
                *(f"missing: {m}" for m in line["missing"]),
            ]
        )
        who = line["node_name"] + (" (estimate)" if line["basis"] == "estimate" else "")
        rows.append([who, per_worker, _num(line["workers"]), _num(line["owed_usd"]), basis])
    story.append(_table(rows, [0.22, 0.18, 0.09, 0.12, 0.39], styles, right=(2, 3)))

    # Appendix
    story += [PageBreak(), Paragraph("Appendix: node scorecards", styles["h1"])]
    shown = report.top_rows("scorecards", report.scorecards)
    story.append(
        _p(
            f"{len(report.scorecards)} suppliers and recruiters, riskiest first"
            + (
                f"; the first {len(shown)} are shown, all are in the JSON report."
                if len(shown) < len(report.scorecards)
                else "."
            ),
            styles["muted"],
        )
    )
    rows = [["Node", "Band", "Risk", "Exposure", "Compliance", "Inherent", "Red flags"]]
    for card in shown:
        node = card.node
        compliance = "not assessed"
        if card.compliance and card.compliance.score is not None:
            compliance = _num(card.compliance.score) + (
                " (prov.)" if card.compliance.provisional else ""
            )
        flags = (
            ", ".join(
                f.code.removeprefix("RF_").replace("_", " ").lower()
                for f in card.compliance.red_flags
            )
            if card.compliance
            else ""
        )
        rows.append(
            [
                f"{node.name}\n{node.kind.replace('_', ' ')}"
                + (f", {node.role.replace('_', ' ')}" if node.role else "")
                + f", {node.country}",
                node.band,
                _num(node.risk),
                _num(node.exposure),
                compliance,
                _num(card.inherent),
                flags,
            ]
        )
    story.append(
        _table(
            rows, [0.3, 0.09, 0.07, 0.09, 0.12, 0.09, 0.24], styles, right=(2, 3, 5), band_column=1
        )
    )
    document.multiBuild(story)
    return buffer.getvalue()
