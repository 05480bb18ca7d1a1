"""How far a long command has gone, on stderr: a bar on a terminal, plain lines otherwise.

Imports, reports and the demo take ``progress`` (``core.progress.Progress``) and call it as they
go; a command opens ``showing_progress(args)`` around the work and passes what it yields. On a
terminal that is a rich progress bar per stage (its description, bar, done/total and elapsed
time); elsewhere (CI logs, ``2>file``, ``| cat``) plain lines such as
``validating nodes: 5,000/100,000``, the first and last of each stage and at most one every
``PLAIN_INTERVAL_SECONDS`` between, so a log stays short. Standard output is left to the
command's results, which scripts read.

``--progress`` chooses: ``auto`` (the default: a bar when stderr is a terminal that can redraw,
plain lines when it is not or ``TERM`` is ``dumb``), ``bar``, ``plain`` or ``off``. ``NO_COLOR``
is honoured by the bar (rich draws it without colour).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as Bars
from rich.text import Text

from core.progress import Progress, no_progress

PLAIN_INTERVAL_SECONDS = 2.0
# The stage of a command's commit, after which the findings of what it changed are regenerated
# (``api.work.transaction``), and of that regeneration on its own.
SAVING = "saving and refreshing findings"
REFRESHING = "refreshing findings"
# Terminals that cannot redraw a line in place (rich's own test for a "dumb" terminal).
_DUMB_TERMINALS = ("dumb", "unknown")


def choose_mode(requested: str, stream: TextIO, environ: Mapping[str, str]) -> str:
    """The mode ``auto`` stands for on this stream; any other mode as asked."""
    if requested != "auto":
        return requested
    if not _isatty(stream) or environ.get("TERM", "").lower() in _DUMB_TERMINALS:
        return "plain"
    return "bar"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


@contextmanager
def showing_progress(args: argparse.Namespace) -> Iterator[Progress]:
    """The ``Progress`` a command passes to its work, drawn on stderr as ``--progress`` says;
    the bar is taken down (or the last plain line written) when the block ends, before the
    command prints its results or its error."""
    stream = sys.stderr
    mode = choose_mode(getattr(args, "progress", "auto"), stream, os.environ)
    if mode == "off":
        yield no_progress
    elif mode == "plain":
        lines = PlainLines(stream)
        try:
            yield lines
        finally:
            lines.close()
    else:
        # Anything printed to this terminal while the bar is drawn (a warning on stderr, output
        # on stdout when that is the terminal too) goes above the bar; output going to a pipe
        # or a file stays there (rich would otherwise send it to stderr).
        console = Console(file=stream, force_terminal=mode == "bar" or None)
        with ProgressBars(
            console, redirect_stdout=_isatty(sys.stdout), redirect_stderr=True
        ) as bars:
            yield bars


def counts(done: int, total: int | None) -> str:
    return f"{done:,}" if total is None else f"{done:,}/{total:,}"


class PlainLines:
    """Progress as plain lines on a stream that is not a terminal: each stage's first report
    and its last (``done == total``, with the stage's time), and between them at most one line
    every ``interval`` seconds. A stage left before its last report (a failure, or a stage whose
    total never came) gets its latest figures written when the next begins or at ``close``.
    Writing never fails the work: a closed stream just ends the lines."""

    def __init__(
        self,
        stream: TextIO,
        *,
        interval: float = PLAIN_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._stage: str | None = None
        self._started = 0.0
        self._written_at = 0.0
        self._written: tuple[int, int | None] | None = None
        self._latest: tuple[int, int | None] = (0, None)
        self._gone = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = self._clock()
        if stage != self._stage:
            self._finish_stage()
            self._stage, self._started, self._written = stage, now, None
        self._latest = (done, total)
        finished = total is not None and done >= total
        if self._written is None or finished or now - self._written_at >= self._interval:
            self._write(now)

    def close(self) -> None:
        self._finish_stage()
        self._stage = None

    def _finish_stage(self) -> None:
        if self._stage is not None and self._written != self._latest:
            self._write(self._clock())

    def _write(self, now: float) -> None:
        if self._written == self._latest:
            return
        done, total = self._latest
        self._written, self._written_at = self._latest, now
        if total is not None and done >= total:
            line = f"{self._stage}: {counts(done, total)} ({now - self._started:.1f} s)"
        elif total is None and not done:
            line = f"{self._stage}..."
        else:
            line = f"{self._stage}: {counts(done, total)}"
        if self._gone:
            return
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # the reader went away: the work goes on without lines
            self._gone = True


class _Counts(ProgressColumn):
    """``5,000/100,000``, or ``5,000`` while the total is unknown."""

    def render(self, task: Task) -> Text:
        total = None if task.total is None else int(task.total)
        return Text(counts(int(task.completed), total), style="progress.download")


class ProgressBars:
    """Progress as rich bars, one per stage, each kept (finished, with its time) when the next
    begins. Use as a context manager: the bars are drawn while it is open."""

    def __init__(
        self,
        console: Console,
        *,
        redirect_stdout: bool = False,
        redirect_stderr: bool = False,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._bars = Bars(
            TextColumn("{task.description}"),
            BarColumn(bar_width=None),
            _Counts(),
            TimeElapsedColumn(),
            console=console,
            redirect_stdout=redirect_stdout,
            redirect_stderr=redirect_stderr,
            get_time=clock,
        )
        self._stage: str | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBars:
        self._bars.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._end_stage()
        self._bars.stop()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self._stage or self._task is None:
            self._end_stage()
            self._stage = stage
            self._task = self._bars.add_task(stage, total=total, completed=done)
        else:
            self._bars.update(self._task, total=total, completed=done)

    def _end_stage(self) -> None:
        """The stage's elapsed time stops with it, finished or not."""
        if self._task is not None:
            self._bars.stop_task(self._task)
