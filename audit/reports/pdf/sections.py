"""The sections of the PDF report, one function each, in reading order; each returns its
flowables, so a section can be changed (or tested) without walking through the others.

A numbered section opens on a new page with an ``h1`` heading; the parts within it (corridors,
gaps, sources, reimbursement) use ``h2``. Both kinds of heading feed the table of contents.
Tables show the top rows (``ReportData.top``); the JSON report has the full lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from audit.reports.fonts import FONT, FONT_BOLD
from audit.reports.heatmap import MIN_CELL, MIN_TEXT, Heatmap, drawing, layout
from audit.reports.pdf.document import CONTENT_WIDTH, FRAME_HEIGHT, RULE, Styles
from audit.reports.pdf.tables import num, para, table, text
from audit.reports.schemas import (
    CorridorOrientationRow,
    CrestPillar,
    EmployerOrientationRow,
    ReportData,
)

PLAN_ROWS = 40  # rows per plan table

HEATMAP_CAPTIONS = {
    "corridors": "Corridor heatmap",
    "sectors": "Corridors by employer's sector",
    "principles": "Principle heatmap",
}


def _more(count: int, what: str, where: str, styles: Styles) -> list[Flowable]:
    """The note under a table cut to its top rows, when rows were left out."""
    return [para(f"{count} more {what} {where}.", styles.muted)] if count > 0 else []


def cover(report: ReportData, styles: Styles) -> list[Flowable]:
    """Title page: the network, the company, the version and scope; then the body pages."""
    meta = report.meta
    rows = [
        ["", ""],
        ["Company", meta.company],
        ["Network", f"#{meta.network_id} (version {meta.network_version})"],
        ["Date", meta.date],
        ["Scope", meta.scope],
        ["Prepared with", f"Fairpath {meta.fairpath_version}"],
    ]
    details = table(rows, [0.22, 0.78], styles)
    details.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.white),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    return [
        Spacer(1, 40 * mm),
        para("Recruitment due diligence report", styles.subtitle),
        Spacer(1, 3 * mm),
        para(meta.network, styles.title),
        Spacer(1, 10 * mm),
        details,
        NextPageTemplate("body"),
        PageBreak(),
    ]


def contents(styles: Styles) -> list[Flowable]:
    """The table of contents, filled in by ``ReportDocument`` on the second build pass."""
    toc = TableOfContents()
    # Not shaped: ReportLab's shaping fails on the entries' onDraw tags, and the headings are
    # the report's own English words.
    toc.levelStyles = [
        ParagraphStyle("toc1", fontName=FONT_BOLD, fontSize=10, leading=16, leftIndent=0),
        ParagraphStyle("toc2", fontName=FONT, fontSize=9, leading=13, leftIndent=12),
    ]
    return [Paragraph("Contents", styles.h1), toc, PageBreak()]


def headline(report: ReportData, styles: Styles) -> list[Flowable]:
    """Section 1 opens with the headline sentences, one bullet each."""
    return [
        Paragraph("1. Executive summary", styles.h1),
        *(para(f"• {line}", styles.body) for line in report.headline),
    ]


def critical_chain(report: ReportData, styles: Styles) -> list[Flowable]:
    """The chain through which a critical red flag reaches the company, if there is one."""
    if not report.critical_chain:
        return []
    chain = text(" > ".join(report.critical_chain))
    return [Paragraph(f"<b>Critical chain:</b> {chain}", styles.alert)]


def key_figures(report: ReportData, styles: Styles) -> list[Flowable]:
    key = report.key_figures
    rows = [
        ["Key figure", "Value", "Key figure", "Value"],
        [
            "Overall exposure",
            f"{num(key.exposure)} ({key.exposure_band or 'n/a'})",
            "Critical findings",
            str(key.critical_findings),
        ],
        ["Suppliers", str(key.suppliers), "Recruiters", str(key.recruiters)],
        [
            "Recruitment corridors",
            str(key.corridors),
            "Workers recruited",
            num(key.recruited_workers),
        ],
        [
            "Assessments accepted",
            str(key.assessments_accepted),
            "Awaiting review",
            str(key.assessments_submitted),
        ],
        [
            "Fees owed to workers (reported)",
            key.fees_owed_text,
            "Estimated where unassessed",
            key.fees_estimated_text,
        ],
        [
            "Remediation actions",
            str(key.actions_total),
            "Overdue / verified",
            f"{key.actions_overdue} / {key.actions_verified}",
        ],
    ]
    return [Spacer(1, 4 * mm), table(rows, [0.3, 0.2, 0.3, 0.2], styles, right=(1, 3))]


def methodology(report: ReportData, styles: Styles) -> list[Flowable]:
    """Section 2: the method, the questionnaires answered and every weight of the profile."""
    method = report.methodology
    profile = method.profile
    weights: list[list[object]] = [
        ["Weight", "Value", "Weight", "Value"],
        ["Country", profile.country_weight, "Compliance in node risk", profile.compliance_weight],
        ["Sector", profile.sector_weight, "Decay per hop", profile.decay],
        [
            "Corridor costs",
            profile.corridor_weight,
            "Assessment maximum age (days)",
            profile.assessment_max_age_days,
        ],
        [
            "Recruiter role",
            profile.role_weight,
            "Bands (medium / high)",
            f"{profile.band_medium} / {profile.band_high}",
        ],
        ["Data gaps", profile.data_gap_weight, "Red-flag risk floor", profile.red_flag_floor],
    ]
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("2. Scope and methodology", styles.h1),
        para(method.summary, styles.body),
        Paragraph("Questionnaires", styles.h2),
        para(
            ", ".join(method.questionnaires) or "No assessment has been answered yet.",
            styles.body,
        ),
        para(f"Scoring profile {profile.version}", styles.h2),
        table(weights, [0.3, 0.15, 0.4, 0.15], styles, right=(1, 3)),
    ]
    if method.overrides:
        story.append(para("Organisation overrides: " + "; ".join(method.overrides), styles.body))
    return story


def sources(report: ReportData, styles: Styles) -> list[Flowable]:
    """Where the reference figures behind the inherent risks came from, and of which year."""
    rows: list[list[object]] = [["Figure", "About", "Value", "Year", "Source"]]
    for s in report.sources:
        rows.append([s.data, s.subject, s.value, s.year, source_cell(s.source, s.quality, s.level)])
    return [
        Paragraph("Reference data used", styles.h2),
        table(rows, [0.17, 0.15, 0.16, 0.07, 0.45], styles),
    ]


SOURCE_SHOWN = 260  # characters of a source in the PDF and HTML; the JSON keeps it whole


def source_cell(source: str, quality: str, level: str) -> str:
    """The source, shortened, with a secondary source and a fallback level marked."""
    text = source if len(source) <= SOURCE_SHOWN else source[: SOURCE_SHOWN - 1] + "…"
    marks = [m for m in ("secondary source" if quality == "secondary" else "", level) if m]
    marks = [m for m in marks if m != "corridor survey"]
    return text + (f" [{'; '.join(marks)}]" if marks else "")


def network(report: ReportData, styles: Styles) -> list[Flowable]:
    """Section 3 opens with suppliers by tier beside recruiters by role."""
    tiers = sorted(report.network.tiers.items())
    roles = sorted(report.network.recruiters_by_role.items())
    rows: list[list[object]] = [["Suppliers by tier", "Count", "Recruiters by role", "Count"]]
    for index in range(max(len(tiers), len(roles))):
        tier: tuple[str, object] = tiers[index] if index < len(tiers) else ("", "")
        role: tuple[str, object] = roles[index] if index < len(roles) else ("", "")
        rows.append(
            [f"Tier {tier[0]}" if tier[0] else "", tier[1], role[0].replace("_", " "), role[1]]
        )
    return [
        PageBreak(),
        Paragraph("3. The network", styles.h1),
        table(rows, [0.3, 0.2, 0.3, 0.2], styles, right=(1, 3)),
    ]


def corridors(report: ReportData, styles: Styles) -> list[Flowable]:
    """The riskiest recruitment corridors, with survey costs and the fees workers reported."""
    rows: list[list[object]] = [
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
        rows.append(
            [
                f"{c.origin_name} > {c.destination_name}",
                num(c.workers),
                c.recruiters,
                c.band or "",
                num(c.worst_risk),
                num(c.worker_weighted_risk),
                survey,
                f"USD {num(c.reported_median_usd)}" if c.reported_median_usd else "-",
            ]
        )
    widths = [0.2, 0.08, 0.08, 0.09, 0.07, 0.1, 0.26, 0.12]
    return [
        Paragraph("Recruitment corridors", styles.h2),
        table(rows, widths, styles, right=(1, 2, 4, 5, 7), band_column=3),
        *_more(
            len(report.corridors) - report.top["corridors"],
            "corridors",
            "in the JSON report",
            styles,
        ),
    ]


def gaps(report: ReportData, styles: Styles) -> list[Flowable]:
    """Visibility gaps: where the company cannot see into its recruitment chains yet."""
    rows = [["Gap", "Node", "Detail"]] + [
        [g.title, g.node or "", g.message] for g in report.top_rows("gaps", report.gaps)
    ]
    count, where = report.more_gaps()
    return [
        Paragraph("Visibility gaps", styles.h2),
        table(rows, [0.28, 0.27, 0.45], styles),
        *_more(count, "gaps", where, styles),
    ]


# Room for a heatmap under its caption on a page of its own.
HEATMAP_HEIGHT = FRAME_HEIGHT - 16 * mm


def _scale(figure: Heatmap, height: float = HEATMAP_HEIGHT) -> tuple[float, float]:
    """The scale that fits the heatmap to the frame (never enlarged), and its smallest text
    at that scale."""
    plan = layout(figure)
    scale = min(1.0, CONTENT_WIDTH / plan.width, height / plan.height)
    return scale, scale * min((t.size for t in plan.texts), default=MIN_TEXT)


def _fits(figure: Heatmap, height: float = HEATMAP_HEIGHT) -> bool:
    return _scale(figure, height)[1] >= MIN_TEXT - 1e-6


def _spans(count: int, fits: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """The fewest equal slices of ``count`` rows (or columns) that each fit."""
    spans = [(0, count)]
    for parts in range(1, count + 1):
        size = math.ceil(count / parts)
        spans = [(start, min(start + size, count)) for start in range(0, count, size)]
        if all(fits(*span) for span in spans):
            break
    return spans


def _part(figure: Heatmap, rows: tuple[int, int], columns: tuple[int, int]) -> Heatmap:
    """The heatmap cut to a block of its rows and columns."""
    (top, bottom), (left, right) = rows, columns
    return replace(
        figure,
        rows=figure.rows[top:bottom],
        columns=figure.columns[left:right],
        cells=[
            replace(cell, row=cell.row - top, column=cell.column - left)
            for cell in figure.cells
            if top <= cell.row < bottom and left <= cell.column < right
        ],
    )


def pieces(figure: Heatmap) -> list[Heatmap]:
    """The heatmap as one picture if it fits the page with no text under ``MIN_TEXT``; else
    in small cells, cut into blocks of columns and then of rows that each do (the principle
    heatmap of a large network: 40 principles by 40 nodes)."""
    if _fits(figure):
        return [figure]
    small = replace(figure, max_cell=MIN_CELL)
    n_rows, n_cols = len(small.rows), len(small.columns)

    def wide_enough(first: int, last: int) -> bool:
        return _fits(_part(small, (0, n_rows), (first, last)), math.inf)

    blocks = []
    for columns in _spans(n_cols, wide_enough):

        def short_enough(first: int, last: int, columns: tuple[int, int] = columns) -> bool:
            return _fits(_part(small, (first, last), columns))

        blocks += [_part(small, rows, columns) for rows in _spans(n_rows, short_enough)]
    if len(blocks) == 1:
        return blocks
    return [
        replace(block, title=f"{block.title} ({number} of {len(blocks)})")
        for number, block in enumerate(blocks, 1)
    ]


def _scaled(figure: Heatmap) -> Drawing:
    """The heatmap as a vector drawing, shaped, and shrunk (never enlarged) to fit the page."""
    art = drawing(figure, shape=True)
    scale = _scale(figure)[0]
    art.scale(scale, scale)
    art.width, art.height = art.width * scale, art.height * scale
    return art


def heatmaps(figures: dict[str, Heatmap], styles: Styles) -> list[Flowable]:
    """Section 4: each heatmap with its caption, kept together on one page; one too large to
    read on A4 comes in parts, one per page."""
    story: list[Flowable] = [PageBreak(), Paragraph("4. Heatmaps", styles.h1)]
    for name, caption in HEATMAP_CAPTIONS.items():
        for number, piece in enumerate(pieces(figures[name])):
            art = _scaled(piece)
            story.append(CondPageBreak(art.height + 20 * mm))
            story.append(
                KeepTogether([Paragraph(caption, styles.h2), art] if number == 0 else [art])
            )
    return story


def findings(report: ReportData, styles: Styles) -> list[Flowable]:
    """Section 5: open findings, most severe first, each with its evidence and chain."""
    totals = ", ".join(f"{n} {s}" for s, n in report.findings_total.items())
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("5. Findings", styles.h1),
        para(f"Open findings: {totals}.", styles.body),
    ]
    for severity, items in report.findings.items():
        if not items:
            continue
        story.append(Paragraph(f"{severity.capitalize()} ({len(items)})", styles.h2))
        rows = [["Finding", "Evidence", "Chain to the company"]]
        for finding in report.top_rows("findings", items):
            label = f"{finding.title}\n{finding.code}" + (
                f" · {finding.principle_label}" if finding.principle_label else ""
            )
            rows.append([label, finding.detail, " > ".join(s.name for s in finding.chain)])
        story.append(table(rows, [0.34, 0.36, 0.3], styles))
        count, where = report.more_findings(severity)
        story += _more(count, f"{severity} findings", where, styles)
    return story


def plan(report: ReportData, styles: Styles) -> list[Flowable]:
    """Section 6 opens with the remediation plan: progress, then every action, by the node it
    is about, its owner and its deadline."""
    metrics = report.plan_metrics
    by_status = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in metrics["by_status"].items())
    rows: list[list[object]] = [["Node", "Severity", "Action", "Owner", "Due", "Status"]]
    for group in report.plan_groups:
        for index, action in enumerate(group.actions):
            title = text(action.title)
            if len(action.finding_ids) > 1:
                title += f" (addresses {len(action.finding_ids)} findings)"
            if action.repayment is not None:
                title += f"<br/><i>{text(action.repayment.in_words())}</i>"
            rows.append(
                [
                    group.node if index == 0 else "",
                    action.severity,
                    Paragraph(title, styles.cell),
                    action.owner_name,
                    action.due_date + (" (overdue)" if action.overdue else ""),
                    action.status.replace("_", " "),
                ]
            )
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("6. Remediation plan and fee reimbursement", styles.h1),
        para(
            f"{metrics['total']} actions: {by_status}; {metrics['overdue']} overdue.", styles.body
        ),
    ]
    if len(rows) == 1:
        return [*story, para("No actions planned yet.", styles.muted)]
    # In tables of PLAN_ROWS rows each: ReportLab splits one long table across pages at a cost
    # that grows with its length (a 1,222-action plan took 7 s as one table).
    header, body = rows[0], rows[1:]
    widths = [0.15, 0.11, 0.32, 0.17, 0.13, 0.12]
    tables: list[Flowable] = [
        table([header, *body[start : start + PLAN_ROWS]], widths, styles, band_column=1)
        for start in range(0, len(body), PLAN_ROWS)
    ]
    note = report.plan_note()
    return story + tables + ([para(note, styles.muted)] if note else [])


def reimbursement(report: ReportData, styles: Styles) -> list[Flowable]:
    """Recruitment fees owed back to workers (Employer Pays Principle): every reported line with
    its arithmetic (amount, rate, rate year and source, workers, allocation), then estimates by
    corridor. Unknown is printed as unknown, never as USD 0."""
    money = report.reimbursement
    key = report.key_figures
    local = ", ".join(f"{c} {num(v)}" for c, v in money.reported_local.items())
    summary = (
        f"Reported in assessments: {key.fees_owed_text}"
        + (f" ({local})" if local else "")
        + ". Estimated from survey costs where nobody was assessed: "
        f"{key.fees_estimated_text} (estimate, not added)."
    )
    rows: list[list[object]] = [["Who reported", "Arithmetic", "Owed (USD)", "Notes"]]
    reported = [line for line in money.lines if line.basis == "reported"]
    for line in report.top_rows("fee_lines", reported):
        notes = [line.usd_basis, line.workers_basis, *line.notes]
        allocation = "; ".join(
            f"{a.employer_name}: {num(a.workers)} workers, "
            + (f"USD {num(a.owed_usd)}" if a.owed_usd is not None else "unknown")
            for a in line.allocations
        )
        if allocation:
            notes.append(f"allocated: {allocation}")
        rows.append(
            [
                line.node_name,
                line.arithmetic,
                f"{line.owed_usd:,.2f}" if line.owed_usd is not None else "unknown",
                "; ".join(n for n in notes if n),
            ]
        )
    story: list[Flowable] = [
        Paragraph("Recruitment fees owed to workers", styles.h2),
        para(summary, styles.body),
    ]
    if len(rows) > 1:
        story.append(table(rows, [0.2, 0.34, 0.12, 0.34], styles, right=(2,)))
        story += _more(
            len(reported) - report.top["fee_lines"],
            "reported fee lines, each with its arithmetic,",
            "in the JSON report",
            styles,
        )
    else:
        story.append(para("No assessment reports fees paid by workers.", styles.muted))
    estimates = money.estimated_by_corridor
    if estimates:
        corridor_rows: list[list[object]] = [["Corridor", "Estimated (USD)", "Workers unknown"]]
        for total in report.top_rows("estimates", estimates):
            known = f"USD {num(total.owed_usd)}"
            if total.unknown_workers:
                known = f"at least {known}" if total.owed_usd else "unknown"
            corridor_rows.append([total.name, known, num(total.unknown_workers)])
        story += [
            para(
                "Estimates by corridor, where nobody on the chain was assessed (median of the "
                "survey figures, or the figure and statistic the survey gives; months of earnings "
                "only where a monthly wage is known):",
                styles.body,
            ),
            table(corridor_rows, [0.5, 0.25, 0.25], styles, right=(1, 2)),
            *_more(
                len(estimates) - report.top["estimates"],
                "corridors",
                "in the JSON report",
                styles,
            ),
        ]
    return story + _legal_limits(report, styles)


def _legal_limits(report: ReportData, styles: Styles) -> list[Flowable]:
    """The origin country's legal limit per corridor beside the Employer Pays Principle's zero:
    lawful is not the same as fair."""
    if not report.legal_limits:
        return []
    rows: list[list[object]] = [["Corridor", "Workers", "Legal limit", "Source"]]
    for limit in report.legal_limits:
        since = f" (since {limit.since.isoformat()})" if limit.since else ""
        source = f"{limit.source} ({limit.source_quality})" if limit.source else "-"
        rows.append([limit.corridor, limit.workers, limit.legal_limit + since, source])
    return [
        Paragraph("What the law of the origin country allows", styles.h2),
        para(
            "Beside each legal limit, the Employer Pays Principle allows nothing: the employer "
            "pays every cost of recruitment. A fee can be lawful and still a finding. Where no "
            "rule has been read for a corridor, that is said, not implied to be none.",
            styles.body,
        ),
        table(rows, [0.12, 0.14, 0.3, 0.44], styles),
    ]


def _subhead(words: str, styles: Styles) -> Paragraph:
    """A heading inside a pillar: bold body text, kept out of the contents."""
    return Paragraph(f"<b>{text(words, bold=True)}</b>", styles.body)


def _pillar_findings(report: ReportData, pillar: CrestPillar, styles: Styles) -> list[Flowable]:
    """A pillar's open findings, most severe first, cut to the top rows."""
    items = report.crest_findings(pillar)
    total = sum(pillar.findings_open.values())
    story: list[Flowable] = [_subhead(f"Open findings ({total})", styles)]
    if not items:
        return [*story, para("None open.", styles.muted)]
    rows: list[list[object]] = [["Finding", "Severity", "Detail"]]
    for finding in items[: report.top["crest"]]:
        rows.append([f"{finding.title}\n{finding.code}", finding.severity, finding.detail])
    return [
        *story,
        table(rows, [0.38, 0.12, 0.5], styles, band_column=1),
        *_more(
            total - report.top["crest"],
            "findings",
            "in the findings list (the findings API or the dashboard)",
            styles,
        ),
    ]


def _pillar_actions(report: ReportData, pillar: CrestPillar, styles: Styles) -> list[Flowable]:
    """A pillar's plan actions, in the plan's order (most urgent first)."""
    actions = report.crest_actions(pillar)
    story: list[Flowable] = [_subhead(f"Plan actions ({len(actions)})", styles)]
    if not actions:
        return [*story, para("No actions planned for this pillar.", styles.muted)]
    rows: list[list[object]] = [["Action", "Severity", "About", "Owner", "Due", "Status"]]
    for action in actions[: report.top["crest"]]:
        rows.append(
            [
                action.title,
                action.severity,
                action.node_name or "the network",
                action.owner_name,
                action.due_date + (" (overdue)" if action.overdue else ""),
                action.status.replace("_", " "),
            ]
        )
    widths = [0.32, 0.11, 0.17, 0.16, 0.12, 0.12]
    return [
        *story,
        table(rows, widths, styles, band_column=1),
        *_more(len(actions) - report.top["crest"], "actions", "in section 6", styles),
    ]


def _stage_rows(
    first: str, rows: Sequence[CorridorOrientationRow] | Sequence[EmployerOrientationRow]
) -> list[list[object]]:
    table_rows: list[list[object]] = [
        [
            first,
            "Workers recruited",
            "Oriented before departure",
            "Share",
            "Oriented after arrival",
            "Share",
        ]
    ]
    for row in rows:
        table_rows.append(
            [
                row.name,
                num(row.recruited) if row.recruited is not None else "unknown",
                num(row.pre_departure.oriented),
                row.pre_departure.percent(),
                num(row.post_arrival.oriented),
                row.post_arrival.percent(),
            ]
        )
    return table_rows


def crest(report: ReportData, styles: Styles) -> list[Flowable]:
    """Section 7: one part per CREST pillar, each with its figures, findings and actions.
    A share without a known total prints "unknown", never 0 %."""
    parts = report.crest
    top = report.top["crest"]
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("7. CREST pillars", styles.h1),
        para(CREST_INTRO, styles.body),
    ]
    training = parts.training
    figures = training.coverage
    story += [Paragraph(text(training.title), styles.h2)]
    story += [para(line, styles.body) for line in training.summary]
    if figures.required:
        shares: list[list[object]] = [
            ["Who must be trained", "Current training", "In the network", "Share"]
        ]
        for name, share in (
            ("Suppliers with migrant workers", figures.suppliers_with_migrants),
            ("Recruiters", figures.recruiters),
        ):
            shares.append([name, num(share.count), num(share.total), share.percent()])
        story.append(table(shares, [0.4, 0.2, 0.2, 0.2], styles, right=(1, 2, 3)))
        gaps = figures.expired + figures.never
        if figures.needs_training:
            needs: list[list[object]] = [["Node", "Kind", "Last training", "Out of date since"]]
            for row in figures.needs_training[:top]:
                needs.append(
                    [
                        row.name,
                        row.kind.replace("_", " "),
                        row.last_trained or "never",
                        row.expired_on or "",
                    ]
                )
            where = (
                "in the JSON report"
                if len(figures.needs_training) >= gaps
                else "in the training coverage API"
            )
            story += [
                _subhead(f"Who needs training ({gaps})", styles),
                table(needs, [0.4, 0.2, 0.2, 0.2], styles),
                *_more(gaps - top, "nodes", where, styles),
            ]
    story += _pillar_findings(report, training, styles)
    story += _pillar_actions(report, training, styles)

    orientation = parts.orientation
    story += [Paragraph(text(orientation.title), styles.h2)]
    story += [para(line, styles.body) for line in orientation.summary]
    oriented = orientation.coverage
    if oriented is not None and oriented.corridors:
        widths = [0.24, 0.16, 0.17, 0.1, 0.23, 0.1]
        story.append(
            table(
                _stage_rows("Corridor", oriented.corridors[:top]),
                widths,
                styles,
                right=(1, 2, 3, 4, 5),
            )
        )
        if oriented.employers:
            story.append(
                table(
                    _stage_rows("Employer", oriented.employers[:top]),
                    widths,
                    styles,
                    right=(1, 2, 3, 4, 5),
                )
            )
    story += _pillar_findings(report, orientation, styles)
    story += _pillar_actions(report, orientation, styles)

    mapping = parts.mapping
    mapped = mapping.coverage
    assessed = mapped.recruiters_assessed
    counts = ", ".join(f"{n} {s}" for s, n in mapping.findings_open.items())
    story += [Paragraph(text(mapping.title), styles.h2)]
    story += [para(line, styles.body) for line in mapping.summary]
    story.append(
        table(
            [
                ["Mapped", "Count", "Mapped", "Count"],
                ["Suppliers", num(mapped.suppliers), "Labour recruiters", num(mapped.recruiters)],
                [
                    "Recruitment corridors",
                    num(mapped.corridors),
                    "Worker groups",
                    num(mapped.worker_groups),
                ],
                [
                    "Visibility gaps",
                    num(mapped.visibility_gaps),
                    "Recruiters assessed",
                    f"{assessed.count} of {num(assessed.total)} ({assessed.percent()})",
                ],
            ],
            [0.3, 0.2, 0.3, 0.2],
            styles,
            right=(1, 3),
        )
    )
    story.append(
        para(
            f"Open findings: {counts} (section 5); {len(mapping.action_ids)} plan actions "
            "(section 6).",
            styles.body,
        )
    )
    return story


CREST_INTRO = (
    "IOM CREST asks businesses to train their suppliers' and recruiters' staff (pillar 1), to "
    "make sure migrant workers are oriented before they leave and after they arrive (pillar 2), "
    "and to map their labour supply chains and recruit ethically (pillar 3). Each pillar's open "
    "findings and plan actions are listed with it; pillar 3's are those of sections 5 and 6."
)


def scorecards(report: ReportData, styles: Styles) -> list[Flowable]:
    """Appendix: one row per supplier and recruiter, riskiest first."""
    shown = report.top_rows("scorecards", report.scorecards)
    cut = report.scorecards_note(len(shown))
    rows: list[list[object]] = [
        ["Node", "Band", "Risk", "Exposure", "Compliance", "Inherent", "Red flags"]
    ]
    for card in shown:
        node = card.node
        compliance = "not assessed"
        if card.compliance and card.compliance.score is not None:
            compliance = num(card.compliance.score) + (
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
                num(node.risk),
                num(node.exposure),
                compliance,
                num(card.inherent),
                flags,
            ]
        )
    widths = [0.3, 0.09, 0.07, 0.09, 0.12, 0.09, 0.24]
    return [
        PageBreak(),
        Paragraph("Appendix: node scorecards", styles.h1),
        para(
            f"{report.scorecards_total:,} suppliers and recruiters, riskiest first{cut}",
            styles.muted,
        ),
        table(rows, widths, styles, right=(2, 3, 5), band_column=1),
    ]
