"""Progress of long work: what imports and reports report, and how the CLI shows it (issue 18).

The work calls ``progress(stage, done, total)``; the CLI draws rich bars on a terminal and plain,
throttled lines elsewhere. Clocks are fakes: nothing here waits or times anything.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import Session

from api.cli import main as cli
from api.cli.demo_seed import load_example
from api.cli.progress import PlainLines, ProgressBars, choose_mode
from audit.reports.data import build_report_with_figures
from audit.reports.pdf import render_pdf
from core.errors import InvalidInput
from core.organisations.models import Organisation
from core.problems import Problems
from core.tenancy import Scope
from questionnaires.service import Actor
from supplychain import formats
from supplychain import service as networks
from supplychain.models import Network
from supplychain.schemas import NetworkCreate
from tests.supplychain.sample import EDGES, NODES

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
IMPORT_STAGES = ["reading", "validating nodes", "validating edges", "checking links", "writing"]


class Recorder:
    """A ``Progress`` that keeps every call, and checks what every watcher relies on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        self.calls.append((stage, done, total))

    def stages(self) -> list[str]:
        """Each stage once, in order; a stage never comes back after another began."""
        runs = [
            stage
            for i, (stage, _d, _t) in enumerate(self.calls)
            if i == 0 or stage != self.calls[i - 1][0]
        ]
        assert len(runs) == len(set(runs)), runs
        return runs

    def of(self, stage: str) -> list[tuple[int, int | None]]:
        return [(done, total) for name, done, total in self.calls if name == stage]

    def final(self, stage: str) -> tuple[int, int | None]:
        return self.of(stage)[-1]

    def assert_well_formed(self) -> None:
        """Per stage: done never goes back, and the last call has done == total."""
        for stage in self.stages():
            dones = [done for done, _total in self.of(stage)]
            assert dones == sorted(dones), (stage, dones)
            done, total = self.final(stage)
            assert done == total, (stage, done, total)


def _csv(rows: list[dict]) -> bytes:
    columns = sorted({key for row in rows for key in row})
    lines = [",".join(columns)]
    lines += [",".join(str(row.get(c, "")) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _files(nodes: list[dict] = NODES, edges: list[dict] = EDGES) -> dict[str, tuple[str, bytes]]:
    return {"nodes": ("nodes.csv", _csv(nodes)), "edges": ("edges.csv", _csv(edges))}


def _network(session: Session) -> Network:
    organisation = Organisation(name="Northwind")
    session.add(organisation)
    session.flush()
    return networks.create_network(
        session,
        scope=Scope.everything(),
        own_organisation_id=organisation.id or 0,
        data=NetworkCreate(name="Seafood"),
    )


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Slices of 4 rows, so that the 11 nodes and 9 edges of the sample take several each."""
    monkeypatch.setattr(networks, "_PROGRESS_ROWS", 4)
    yield


# The import service --------------------------------------------------------------------------


def test_an_import_reports_every_stage_up_to_its_real_row_counts(
    session: Session, small_slices: None
) -> None:
    network = _network(session)
    progress = Recorder()
    raw = formats.read_upload(_files(), Problems(), progress=progress)
    result = networks.import_network(session, network=network, raw=raw, progress=progress)

    assert result.nodes["created"] == len(NODES) == 11
    assert result.edges["created"] == len(EDGES) == 9
    assert progress.stages() == IMPORT_STAGES
    progress.assert_well_formed()
    assert progress.final("reading") == (2, 2)
    assert progress.final("validating nodes") == (11, 11)
    assert progress.final("validating edges") == (9, 9)
    assert progress.final("checking links") == (9, 9)
    assert progress.final("writing") == (20, 20)
    # Slices of four: 0, 4, 8, 11 for nodes; writing moves with each chunk written.
    assert [done for done, _ in progress.of("validating nodes")] == [0, 4, 8, 11]
    assert [done for done, _ in progress.of("validating edges")] == [0, 4, 8, 9]
    assert progress.of("checking links")[0] == (0, None)  # before the stored network is read
    assert progress.of("writing")[:2] == [(0, None), (0, 20)]


def test_a_replace_import_counts_updates_and_deletes_and_a_dry_run_writes_nothing(
    session: Session, small_slices: None
) -> None:
    network = _network(session)
    networks.import_network(session, network=network, raw=formats.read_upload(_files(), Problems()))
    # S4 goes (it has no edges), S1 changes its workers; every edge is kept.
    kept = [dict(n, workers=501) if n["id"] == "S1" else n for n in NODES if n["id"] != "S4"]
    raw = formats.read_upload(_files(kept), Problems())
    progress = Recorder()
    result = networks.import_network(
        session, network=network, raw=raw, mode="replace", progress=progress
    )
    assert (result.nodes["updated"], result.nodes["deleted"]) == (1, 1)
    progress.assert_well_formed()
    assert progress.final("validating nodes") == (10, 10)
    assert progress.final("checking links") == (9, 9)
    assert progress.final("writing") == (2, 2)

    checked = Recorder()
    again = formats.read_upload(_files(kept), Problems())
    networks.import_network(session, network=network, raw=again, dry_run=True, progress=checked)
    assert checked.stages() == ["validating nodes", "validating edges", "checking links"]
    checked.assert_well_formed()


def test_validating_in_slices_lists_the_same_problems_as_the_whole_file(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicate id and a duplicate edge across slice boundaries, and bad rows in several
    slices, are reported exactly as when the file is validated in one piece."""
    nodes = [*NODES, dict(NODES[1], name="Again"), {"id": "X", "kind": "nothing", "name": "X"}]
    edges = [*EDGES, EDGES[0], {"source": "S1", "target": "S1", "kind": "supplies"}]

    def problems_with(rows: int) -> list[dict]:
        monkeypatch.setattr(networks, "_PROGRESS_ROWS", rows)
        raw = formats.read_upload(_files(nodes, edges), Problems())
        with pytest.raises(InvalidInput) as refused:
            networks.import_network(session, network=network, raw=raw, dry_run=True)
        return refused.value.errors

    network = _network(session)
    whole = problems_with(5000)
    assert len(whole) >= 4
    assert problems_with(3) == whole
    assert problems_with(1) == whole


# Reports ------------------------------------------------------------------------------------


def test_a_report_and_its_pdf_report_each_stage_to_the_end(session: Session) -> None:
    loaded = load_example(session, "seafood-thailand", now=NOW, actor=Actor.user(None, "admin"))
    progress = Recorder()
    bundle = build_report_with_figures(session, loaded.network, NOW, progress=progress)
    pdf = render_pdf(bundle.report, bundle.figures, progress=progress)

    assert pdf.startswith(b"%PDF")
    assert progress.stages() == [
        "scoring the network",
        "gathering data",
        "drawing heatmaps",
        "preparing sections",
        "laying out pages",
    ]
    progress.assert_well_formed()
    assert progress.final("gathering data") == (5, 5)
    assert progress.final("preparing sections") == (16, 16)  # 15 sections and the CREST pillars
    pages = progress.of("laying out pages")
    assert len(pages) > 3  # it moves during the layout, not only at its ends
    assert pages[-1][0] % 2 == 0  # the story, laid out twice (the contents page)


# The command line ---------------------------------------------------------------------------


def test_import_prints_plain_progress_on_stderr_and_leaves_stdout_as_it_was(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "network"
    folder.mkdir()
    for name, (_filename, content) in _files().items():
        (folder / f"{name}.csv").write_bytes(content)
    db = ["--database-url", database_url]

    assert cli(["import", str(folder), "--new", "Seafood", "--organisation", "Northwind", *db]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "Imported into network 1 'Seafood' (now version 2):\n"
        "  nodes: 11 created, 0 updated, 0 unchanged, 0 deleted\n"
        "  edges: 9 created, 0 updated, 0 unchanged, 0 deleted\n"
    )
    lines = captured.err.splitlines()
    assert "reading: 0/2" in lines
    assert "validating nodes: 0/11" in lines
    assert "checking links..." in lines
    for last in (
        "reading: 2/2",
        "validating nodes: 11/11",
        "validating edges: 9/9",
        "checking links: 9/9",
        "writing: 20/20",
        "saving and refreshing findings: 1/1",
    ):
        assert any(re.fullmatch(rf"{last} \(\d+\.\d s\)", line) for line in lines), last
    assert "\x1b" not in captured.err  # no terminal codes in a log

    assert cli(["import", str(folder), "--network", "1", "--progress", "off", *db]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""
    assert "11 unchanged" in quiet.out

    report = tmp_path / "report.pdf"
    assert cli(["report", "--network", "1", "-o", str(report), *db]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"Wrote the PDF report of network 1 to {report}\n"
    assert re.search(r"^laying out pages: (\d+)/\1 \(", captured.err, re.MULTILINE)


def test_a_refused_import_ends_its_lines_before_the_error(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "nodes.csv"
    bad.write_text("id,kind,name,country\nX,nothing,X,TH\n", encoding="utf-8")
    db = ["--database-url", database_url]
    assert cli(["networks", "create", "--name", "N", "--organisation", "O", *db]) == 0
    capsys.readouterr()
    assert cli(["import", str(bad), "--network", "1", *db]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert "Traceback" not in err
    assert err.index("checking links: 0/0") < err.index("fairpath: The import was refused")


# Renderers ----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_show_first_and_last_of_a_stage_and_at_most_one_each_two_seconds() -> None:
    stream, clock = io.StringIO(), FakeClock()
    lines = PlainLines(stream, clock=clock)
    for at, done in ((0.0, 0), (0.5, 5_000), (1.9, 20_000), (2.1, 30_000), (3.0, 40_000)):
        clock.now = at
        lines("validating nodes", done, 100_000)
    clock.now = 4.5
    lines("validating nodes", 60_000, 100_000)  # 2.4 s after the last line
    clock.now = 5.0
    lines("validating nodes", 100_000, 100_000)  # the last: always, with the stage's time
    lines("validating nodes", 100_000, 100_000)  # said already
    clock.now = 5.5
    lines("checking links", 0, None)
    clock.now = 6.0
    lines("checking links", 0, 150_000)
    clock.now = 6.5
    lines("checking links", 70_000, 150_000)  # left unfinished: its latest comes out below
    lines("writing", 0, 0)  # a stage with nothing to do: one line
    lines.close()
    assert stream.getvalue().splitlines() == [
        "validating nodes: 0/100,000",
        "validating nodes: 30,000/100,000",
        "validating nodes: 60,000/100,000",
        "validating nodes: 100,000/100,000 (5.0 s)",
        "checking links...",
        "checking links: 70,000/150,000",
        "writing: 0/0 (0.0 s)",
    ]


def test_plain_lines_flush_a_stage_left_mid_way_when_closed() -> None:
    stream, clock = io.StringIO(), FakeClock()
    lines = PlainLines(stream, clock=clock)
    lines("writing", 0, 250_000)
    clock.now = 1.0
    lines("writing", 5_000, 250_000)
    lines.close()  # e.g. the database refused the rows: the last figures before the error
    assert stream.getvalue().splitlines() == ["writing: 0/250,000", "writing: 5,000/250,000"]


def test_plain_lines_never_fail_the_work_when_the_reader_has_gone() -> None:
    stream = io.StringIO()
    lines = PlainLines(stream)
    stream.close()
    lines("reading", 0, 2)  # no exception
    lines("reading", 2, 2)


def test_the_bars_show_each_stage_with_its_counts_and_time() -> None:
    output, clock = io.StringIO(), FakeClock()
    console = Console(file=output, force_terminal=True, width=80, color_system=None)
    with ProgressBars(console, clock=clock) as bars:
        bars("validating nodes", 0, 10_000)
        clock.now = 65.0
        bars("validating nodes", 10_000, 10_000)
        bars("writing", 0, None)
        bars("writing", 5_000, 20_000)
        clock.now = 70.0
    drawn = output.getvalue()
    final = drawn[drawn.rindex("\x1b[2K") :]  # the last frame, drawn as the bars stop
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", final).replace("\r", "")
    assert re.search(r"validating nodes .* 10,000/10,000 +0:01:05", text), text
    assert re.search(r"writing .* 5,000/20,000 +0:00:05", text), text
    assert max(len(line) for line in text.splitlines()) <= 80


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_means_bars_only_on_a_terminal_that_can_redraw() -> None:
    assert choose_mode("auto", _Terminal(), {"TERM": "xterm-256color"}) == "bar"
    assert choose_mode("auto", io.StringIO(), {"TERM": "xterm-256color"}) == "plain"
    assert choose_mode("auto", _Terminal(), {"TERM": "dumb"}) == "plain"
    assert choose_mode("plain", _Terminal(), {}) == "plain"
    assert choose_mode("off", _Terminal(), {}) == "off"
    assert choose_mode("bar", io.StringIO(), {}) == "bar"
