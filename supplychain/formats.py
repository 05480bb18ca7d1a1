"""Reading network files (CSV pair, ZIP, XLSX, JSON, GraphML) into raw rows with their locations.

Only reading happens here; what the values mean is checked by ``supplychain.rules``. Every row
keeps its file and row number, so a problem found later still points at the right cell.

Files are hostile until read: a 509 KB ZIP expanded to a 500 MB CSV (8 GB of memory), and a
4.7 KB XLSX declaring the dimension ``A1:XFD1048576`` kept a core busy for minutes. So every
reader stops as soon as a file passes ``MAX_UNCOMPRESSED_BYTES``, ``MAX_ROWS``,
``MAX_COLUMNS`` or ``MAX_CELLS``, counted while reading rather than taken from what the file
declares, and refuses it with a 4xx naming the file and the limit.
"""

from __future__ import annotations

import codecs
import csv
import functools
import gc
import io
import itertools
import json
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePosixPath
from typing import IO, Any, ParamSpec, TypeVar, overload

from core.errors import (
    BadRequest,
    FairpathError,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from core.problems import Location, Problems
from core.progress import Progress, no_progress
from core.spreadsheet import unescape_cell
from supplychain import column_mapping
from supplychain.rules import EDGE_REQUIRED, NODE_REQUIRED

MAX_ZIP_MEMBERS = 20
HEADER_SEARCH_ROWS = 20  # a sheet's header is looked for in its first rows, below any title
MAX_XLSX_MEMBERS = 1_000
# What one upload may expand to: twice the largest request body, room for a network of a few
# hundred thousand rows, and far below what the 8 GB ZIP bomb needed.
MAX_UNCOMPRESSED_BYTES = 128 * 1024 * 1024
MAX_ROWS = 1_000_000  # data rows in one file or sheet
ENCODING_SNIFF_BYTES = 64 * 1024  # a CSV file's head, read to tell its encoding
MAX_COLUMNS = 1_000
# Cells held in one file or sheet (rows times columns, short rows padded): what bounds the
# memory of a file of tiny rows under a wide header; 1,000,000 rows of 20 columns.
MAX_CELLS = 20_000_000
_ZIP_MAGIC = b"PK\x03\x04"

RawRow = dict[str, Any]
RawRows = Sequence[tuple[RawRow, Location]]
_P = ParamSpec("_P")
_R = TypeVar("_R")


def without_cyclic_gc(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` with the cyclic garbage collector paused.

    Reading and importing a large network build a few hundred thousand small lists, records
    and tuples, none of them in a cycle: the collector's repeated scans of them took a third of
    the validation and freed nothing. Reference counting still frees everything as usual; the
    collector resumes when the outermost paused call returns (``scoring.network`` does the
    same while scoring)."""

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


class RawTable(Sequence[tuple[RawRow, Location]]):
    """The rows of one CSV file, held as columns of text.

    A row is still ``(row, location)`` as every reader gives it, but built when asked for: at
    100,000 rows, one dict and one ``Location`` per row cost more than parsing the CSV, and
    the rules check whole columns anyway (``rules.parse_node_columns``), each distinct value
    once. Only the rows that need reporting one by one are ever built.
    """

    def __init__(
        self,
        file: str,
        header: list[str],
        columns: list[list[str]],
        numbers: list[int],
        short: dict[int, int] | None = None,
    ) -> None:
        self.file = file
        self.header = header
        self._columns = columns  # short rows padded with blank cells
        self.numbers = numbers  # each row's number in the file (the header is row 1)
        self._short = short or {}  # index -> cell count, for rows shorter than the header

    def columns(self) -> dict[str, Sequence[str]] | None:
        """Each column's cells by name (a short row's missing cells are blank); None when the
        header names a column twice, where a row's value for the name depends on the row's
        length (the file is refused for its header anyway)."""
        if len(set(self.header)) < len(self.header):
            return None
        return dict(zip(self.header, self._columns, strict=True))

    def location(self, index: int) -> Location:
        return Location(file=self.file, row=self.numbers[index])

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> tuple[RawRow, Location]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[RawRow, Location]]: ...

    def __getitem__(
        self, index: int | slice
    ) -> tuple[RawRow, Location] | list[tuple[RawRow, Location]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        # As the row was in the file: a short row has no value for its missing cells.
        named = zip(self.header[: self._short.get(index)], self._columns, strict=False)
        return {name: column[index] for name, column in named}, self.location(index)


@dataclass
class RawNetwork:
    nodes: RawRows = field(default_factory=list)
    edges: RawRows = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # what was read, for the import summary


def normalise_header(name: Any) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _check_header(
    header: list[str], required: Iterable[str], file: str, problems: Problems, row: int = 1
) -> None:
    location = Location(file=file, row=row)
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            problems.add(location, column, "column appears twice in the header")
        seen.add(column)
    for column in required:
        if column not in seen:
            problems.add(location, column, "required column is missing from the header")


def _too_large(file: str, what: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{file} {what}, the limit for one import; split the network or remove unused rows and "
        "columns",
        errors=[{"file": file, "message": what}],
    )


def _check_size(file: str, *, rows: int = 0, cells: int = 0) -> None:
    """Refuse a file, while it is read, as soon as it passes the row or cell limit."""
    if rows > MAX_ROWS:
        raise _too_large(file, f"has more than {MAX_ROWS:,} rows")
    if cells > MAX_CELLS:
        raise _too_large(file, f"has more than {MAX_CELLS:,} cells")


def _check_width(file: str, header: Sequence[Any], row: int = 1) -> None:
    if len(header) > MAX_COLUMNS:
        raise InvalidInput(
            f"{file} has {len(header):,} columns; at most {MAX_COLUMNS:,} are read",
            errors=[Location(file=file, row=row).item(None, f"more than {MAX_COLUMNS:,} columns")],
        )


@dataclass
class _Budget:
    """The bytes an upload may still expand to, shared by the members of one archive, so that
    two members just under the limit cannot together double it."""

    archive: str
    left: int = field(default_factory=lambda: MAX_UNCOMPRESSED_BYTES)

    def spend(self, member: str, size: int) -> None:
        self.left -= size
        if self.left >= 0:
            return
        limit = f"more than {MAX_UNCOMPRESSED_BYTES:,} bytes"
        if member == self.archive:  # a file read on its own
            raise _too_large(member, f"is {limit}")
        raise PayloadTooLarge(
            f"{member} in {self.archive} takes the archive past {MAX_UNCOMPRESSED_BYTES:,} "
            "bytes uncompressed, the limit for one import",
            errors=[{"file": member, "message": f"expands the archive to {limit}"}],
        )


class _Counted(io.BufferedIOBase):
    """A file's bytes as they are read, spending the budget as they come out: a ZIP member's
    declared size is the archive's claim, and only counting bounds the memory for certain."""

    def __init__(self, source: IO[bytes], file: str, budget: _Budget) -> None:
        super().__init__()
        self._source = source
        self._file = file
        self._budget = budget
        self.read_before = 0  # where the last read started, to place a decoding error
        self._read = 0
        self._pending = b""  # bytes read ahead (to tell the encoding) and handed back

    @property
    def name(self) -> str:
        return self._file

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._pending:
            wanted = len(self._pending) if size is None or size < 0 else size
            data, self._pending = self._pending[:wanted], self._pending[wanted:]
        else:
            data = self._source.read(-1 if size is None else size)
            self._budget.spend(self._file, len(data))
        self.read_before, self._read = self._read, self._read + len(data)
        return data

    def unread(self, data: bytes) -> None:
        """Give back what was read ahead: the next reads return it first (counted once)."""
        self._pending = data + self._pending
        self._read -= len(data)

    read1 = read  # what TextIOWrapper calls, one chunk at a time


def _csv_lines(counted: _Counted) -> tuple[Iterator[str], csv.Dialect | type[csv.Dialect]]:
    """The file's lines, streamed, in the encoding its first bytes show, and its dialect,
    sniffed from the first 4 KB."""
    head_bytes = counted.read(ENCODING_SNIFF_BYTES)
    counted.unread(head_bytes)
    text = io.TextIOWrapper(counted, encoding=_encoding(head_bytes), newline="")
    head = text.read(4096)
    try:
        dialect: csv.Dialect | type[csv.Dialect] = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The head ends inside a line; completing it keeps the rest of the file whole lines.
    return itertools.chain(io.StringIO(head + text.readline(), newline=""), text), dialect


def _encoding(head: bytes) -> str:
    """What spreadsheets save CSV as: UTF-8 (with Excel's byte-order mark or without), UTF-16
    (Excel's "Unicode text", always with its mark), or, when the head is not UTF-8, Windows-1252
    (Excel's plain "CSV" on Windows). A file that is none of them fails as not UTF-8, with the
    place of the first bad byte."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        cut_short = error.reason == "unexpected end of data" and error.end == len(head)
        if not cut_short:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return "utf-8-sig"
            return "cp1252"
    return "utf-8-sig"


def _unreadable(file: str, exc: Exception, counted: _Counted, row: int) -> FairpathError:
    """What a decoding or CSV error becomes: a 400 naming the file and where (never a 500)."""
    if isinstance(exc, UnicodeDecodeError):
        return BadRequest(
            f"{file} is not UTF-8, UTF-16 or Windows-1252 text (near byte "
            f"{counted.read_before + exc.start:,}); save it as 'CSV UTF-8' and try again",
            errors=[{"file": file, "message": "not UTF-8, UTF-16 or Windows-1252 text"}],
        )
    message = str(exc)
    if "field larger than field limit" in message:
        message = f"a cell is longer than {csv.field_size_limit():,} characters"
    return BadRequest(
        f"{file} is not valid CSV near row {row}: {message}",
        errors=[Location(file=file, row=row).item(None, message)],
    )


@without_cyclic_gc
def read_csv(
    data: bytes | IO[bytes],
    file: str,
    required: Iterable[str],
    problems: Problems,
    budget: _Budget | None = None,
) -> RawTable:
    """A CSV file's rows, read as a stream (``data`` may be a ZIP member) within the limits."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    counted = _Counted(source, file, budget or _Budget(file))
    reader = None
    try:
        lines, dialect = _csv_lines(counted)
        reader = csv.reader(lines, dialect)
        return _read_rows(reader, file, required, problems)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _unreadable(file, exc, counted, reader.line_num if reader else 1) from exc


def _read_rows(
    reader: Iterator[list[str]], file: str, required: Iterable[str], problems: Problems
) -> RawTable:
    try:
        header = [normalise_header(unescape_cell(h)) for h in next(reader)]
    except StopIteration:
        problems.add(Location(file=file), None, "the file is empty")
        return RawTable(file, [], [], [])
    _check_width(file, header)
    header, required = column_mapping.map_header(header, required, file, problems)
    _check_header(header, required, file, problems)
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    short: dict[int, int] = {}
    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            _check_size(file, rows=number - 1)
        joined = "".join(cells)  # one string answers "blank?" and "any escaped cell?"
        if not joined.strip():
            continue
        if len(cells) != width:
            if len(cells) > width:
                location = Location(file=file, row=number)
                problems.add(location, None, f"{len(cells)} cells but {width} columns")
                continue
            short[len(rows)] = len(cells)
            cells.extend([""] * (width - len(cells)))
        if "'" in joined:
            cells = [unescape_cell(cell) for cell in cells]
        rows.append(cells)
        numbers.append(number)
        if len(rows) * width > MAX_CELLS:
            _check_size(file, cells=len(rows) * width)
    # Column by column (zip(*rows) is several times slower at 100,000 rows).
    columns = [list(map(itemgetter(index), rows)) for index in range(width)]
    return RawTable(file, header, columns, numbers, short)


def read_json(data: bytes, file: str, problems: Problems) -> RawNetwork:
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"{file} is not valid JSON: {exc}") from exc
    return network_from_json(document, problems, file=file)


def network_from_json(document: Any, problems: Problems, file: str = "body") -> RawNetwork:
    """Fairpath's JSON (``{"network", "nodes", "edges"}``, as exported), or NetworkX's
    node-link JSON, told apart by the keys only the latter has (``supplychain.node_link``)."""
    from supplychain import node_link  # it reads RawNetwork from here: imported when used

    if isinstance(document, dict) and node_link.is_node_link(document):
        return node_link.network_from_node_link(document, problems, file=file)
    if not isinstance(document, dict) or not ({"nodes", "edges"} & set(document)):
        raise InvalidInput(
            f'{file} must be an object with "nodes" and/or "edges" arrays',
            errors=[{"field": "nodes", "message": 'expected {"nodes": [...], "edges": [...]}'}],
        )
    unknown = set(document) - {"nodes", "edges", "network"}
    if unknown:
        raise InvalidInput(
            f"{file} has unknown top-level keys",
            errors=[{"field": key, "message": "unknown key"} for key in sorted(unknown)],
        )
    nodes: list[tuple[RawRow, Location]] = []
    edges: list[tuple[RawRow, Location]] = []
    raw = RawNetwork(nodes=nodes, edges=edges, sources=[file])
    for section, target in (("nodes", nodes), ("edges", edges)):
        items = document.get(section, [])
        if not isinstance(items, list):
            problems.add(Location(file=section), None, "must be an array")
            continue
        if len(items) > MAX_ROWS:
            raise _too_large(section, f"has more than {MAX_ROWS:,} items")
        for index, item in enumerate(items):
            location = Location(file=section, index=index)
            if not isinstance(item, dict):
                problems.add(location, None, "must be an object")
                continue
            target.append(({normalise_header(k): v for k, v in item.items()}, location))
    return raw


def read_xlsx(data: bytes | IO[bytes], file: str, problems: Problems) -> RawNetwork:
    import openpyxl  # imported lazily: only spreadsheet imports pay for it

    _check_archive(_open_zip(data, file), file, MAX_XLSX_MEMBERS)
    try:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for corrupt files
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    try:
        return _read_workbook(workbook, file, problems)
    except FairpathError:
        raise
    except Exception as exc:  # a sheet's XML, shared strings or CRC can be bad as well
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    finally:
        workbook.close()


def _read_workbook(workbook: Any, file: str, problems: Problems) -> RawNetwork:
    sheets = {normalise_header(name): name for name in workbook.sheetnames}
    if len(workbook.sheetnames) == 1 and "edges" not in sheets:
        # A workbook of one sheet is a nodes list whatever its sheet is called ("Facilities",
        # "Sheet1"), as a single CSV is.
        sheets = {"nodes": workbook.sheetnames[0]}
    if "nodes" not in sheets and "edges" not in sheets:
        raise InvalidInput(
            f"{file} needs a sheet named 'nodes' and/or 'edges'",
            errors=[{"file": file, "message": f"sheets found: {', '.join(workbook.sheetnames)}"}],
        )
    nodes: list[tuple[RawRow, Location]] = []
    edges: list[tuple[RawRow, Location]] = []
    raw = RawNetwork(nodes=nodes, edges=edges, sources=[file])
    for key, required, target in (
        ("nodes", NODE_REQUIRED, nodes),
        ("edges", EDGE_REQUIRED, edges),
    ):
        if key not in sheets:
            continue
        label = f"{file}:{sheets[key]}"
        sheet = workbook[sheets[key]]
        if not hasattr(sheet, "reset_dimensions"):
            raise InvalidInput(
                f"{label} is a chart, not a worksheet",
                errors=[{"file": label, "message": "expected a worksheet of rows"}],
            )
        target.extend(_sheet_records(_sheet_rows(sheet, label), label, required, problems))
    return raw


def _sheet_rows(sheet: Any, label: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """A worksheet's rows that hold cells, with their numbers, within the limits.

    The dimension a sheet declares is ignored: openpyxl pads every row to it, so
    ``A1:XFD1048576`` with one cell in the far corner had it build a million rows of 16,384
    cells each. Without it a missing row is an empty tuple and a row is only as wide as its
    last cell; the rows, and the cells they add up to, are counted as they come."""
    sheet.reset_dimensions()
    cells = 0
    last = MAX_ROWS + 1  # the header, then the data rows
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > last:
            _check_size(label, rows=number - 1)
        if values:
            cells += len(values)
            if cells > MAX_CELLS:
                _check_size(label, cells=cells)
            yield number, values


def _sheet_records(
    rows: Iterator[tuple[int, tuple[Any, ...]]],
    label: str,
    required: Iterable[str],
    problems: Problems,
) -> Iterator[tuple[RawRow, Location]]:
    """A sheet's rows as records, by the names in its header row (``_header_row``); a value
    beyond the column limit refuses the file, where openpyxl would have padded every row out
    to it. Every row keeps its number in the sheet, title rows above the header counted."""
    head: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in rows:
        head.append((number, values))
        if number >= HEADER_SEARCH_ROWS:
            break
    if not head:  # a sheet without cells is left out, as if it were not there
        return
    found = _header_row(head, required)
    if found is None:
        expected = ", ".join(required)
        problems.add(
            Location(file=label),
            None,
            f"no header row in the first {HEADER_SEARCH_ROWS} rows: expected a row naming the "
            f"columns {expected}",
        )
        return
    header_number, header_cells = head[found][0], list(head[found][1])
    while header_cells and header_cells[-1] is None:  # a row is as wide as its last cell
        header_cells.pop()
    _check_width(label, header_cells, header_number)
    header = [normalise_header(unescape_cell(h)) for h in header_cells]
    header, required = column_mapping.map_header(header, required, label, problems)
    _check_header([h for h in header if h], required, label, problems, header_number)
    width = len(header)
    data_rows = itertools.chain(head[found + 1 :], rows)
    for number, values in data_rows:
        if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
            raise InvalidInput(
                f"{label} has a value beyond column {MAX_COLUMNS:,} on row {number}",
                errors=[
                    Location(file=label, row=number).item(
                        None, f"a value beyond column {MAX_COLUMNS:,}"
                    )
                ],
            )
        if (
            values.count(None) == len(values)
            or all(  # counted in C: most padding is None
                v is None or (isinstance(v, str) and not v.strip()) for v in values[:MAX_COLUMNS]
            )
        ):
            continue
        row = {h: unescape_cell(v) for h, v in zip(header, values[:width], strict=False) if h}
        yield row, Location(file=label, row=number)


def _header_row(head: Sequence[tuple[int, tuple[Any, ...]]], required: Iterable[str]) -> int | None:
    """Which of a sheet's first rows is its header: reports put a title (often merged across
    the columns), a subtitle or blank rows above it. The first row naming every required
    column; else (a header lacking one, or naming its columns as a column mapping will rename
    them) the first row with two cells or more, where a title is one cell; else none."""
    needed = set(required)
    filled = [
        (index, [v for v in values if v is not None and str(v).strip()])
        for index, (_number, values) in enumerate(head)
    ]
    for index, cells in filled:
        if needed <= {normalise_header(unescape_cell(cell)) for cell in cells}:
            return index
    return next((index for index, cells in filled if len(cells) >= 2), None)


def _open_zip(data: bytes | IO[bytes], file: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise BadRequest(f"{file} is not a valid ZIP archive") from exc


def _check_archive(archive: zipfile.ZipFile, file: str, max_members: int) -> None:
    """Refuse an archive whose own directory admits it is too big. The sizes it declares are
    only claims; but Python's zipfile never inflates a member past its declared size (the CRC
    check fails instead), and CSV members are counted again while read (``_Counted``)."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > max_members:
        raise BadRequest(
            f"{file} holds {len(infos):,} files; at most {max_members:,} are accepted",
            errors=[{"file": file, "message": f"more than {max_members:,} files"}],
        )
    budget = _Budget(file)
    for info in infos:  # the member that takes the total past the limit is named
        budget.spend(info.filename, info.file_size)


def _zip_members(archive: zipfile.ZipFile, file: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by name (folders and macOS metadata left out), not yet read."""
    _check_archive(archive, file, MAX_ZIP_MEMBERS)
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = PurePosixPath(info.filename).name
        if info.is_dir() or name.startswith(".") or info.filename.startswith("__MACOSX"):
            continue
        members[name] = info
    return members


def _read_zip(filename: str, data: bytes | IO[bytes], problems: Problems) -> RawNetwork:
    """nodes.csv and edges.csv out of a ZIP, each streamed from the archive within one shared
    budget of uncompressed bytes: never a whole member in memory at once."""
    archive = _open_zip(data, filename)
    members = _zip_members(archive, filename)
    lowered = {name.lower(): name for name in members}
    if "nodes.csv" not in lowered and "edges.csv" not in lowered:
        raise InvalidInput(
            f"{filename} must contain nodes.csv and/or edges.csv",
            errors=[{"file": filename, "message": f"found: {', '.join(members) or 'nothing'}"}],
        )
    raw = RawNetwork(sources=[filename])
    budget = _Budget(filename)
    for key, required in (("nodes.csv", NODE_REQUIRED), ("edges.csv", EDGE_REQUIRED)):
        if key not in lowered:
            continue
        real = lowered[key]
        try:
            with archive.open(members[real]) as member:
                rows = read_csv(member, real, required, problems, budget)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error) as exc:
            raise BadRequest(
                f"{real} in {filename} cannot be read: {exc}",
                errors=[{"file": real, "message": "not readable"}],
            ) from exc
        if key == "nodes.csv":
            raw.nodes = rows
        else:
            raw.edges = rows
    return raw


def _is_xlsx(data: bytes | IO[bytes]) -> bool:
    if not _head(data).startswith(_ZIP_MAGIC):
        return False
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        if not isinstance(data, bytes):
            data.seek(0)


def _head(data: bytes | IO[bytes], size: int = 8) -> bytes:
    """A file's first bytes, leaving an open file where it was (at its start)."""
    if isinstance(data, bytes):
        return data[:size]
    head = data.read(size)
    data.seek(0)
    return head


UPLOAD_FIELDS = ("nodes", "edges", "file")


def check_upload_fields(fields: Collection[str]) -> None:
    """One ``file``, or the ``nodes``/``edges`` CSV pair (either half alone is fine)."""
    if "file" in fields and {"nodes", "edges"} & set(fields):
        raise BadRequest("send either one 'file' or the 'nodes'/'edges' CSV pair, not both")
    if not {"nodes", "edges", "file"} & set(fields):
        raise BadRequest(
            "no network file received: upload 'nodes' and 'edges' CSV files, or one 'file' "
            "(ZIP, XLSX or JSON)"
        )


def read_upload(
    files: Mapping[str, tuple[str, bytes | IO[bytes]]],
    problems: Problems,
    *,
    progress: Progress = no_progress,
) -> RawNetwork:
    """Read uploaded files: ``{"nodes": (filename, bytes), "edges": ...}`` for a CSV pair, or
    ``{"file": (filename, bytes)}`` for a ZIP, XLSX or JSON file. ``progress`` hears "reading"
    with the files read of those sent.

    Any file may be an open, seekable binary file instead of bytes (a job's upload, spooled to
    disk): CSV files, in a pair or in a ZIP, and XLSX sheets are then read as streams, never
    whole in memory; a JSON or GraphML file is read whole (its parser builds the whole tree)."""
    check_upload_fields(files)
    if "file" in files:
        filename, content = files["file"]
        progress("reading", 0, 1)
        raw = read_single_file(filename, content, problems)
        progress("reading", 1, 1)
        return raw
    raw = RawNetwork()
    parts = [part for part in ("nodes", "edges") if part in files]
    progress("reading", 0, len(parts))
    if "nodes" in files:
        name, part = files["nodes"]
        raw.nodes = read_csv(part, name or "nodes.csv", NODE_REQUIRED, problems)
        raw.sources.append(name or "nodes.csv")
        progress("reading", 1, len(parts))
    if "edges" in files:
        name, part = files["edges"]
        raw.edges = read_csv(part, name or "edges.csv", EDGE_REQUIRED, problems)
        raw.sources.append(name or "edges.csv")
        progress("reading", len(parts), len(parts))
    return raw


def read_single_file(filename: str, data: bytes | IO[bytes], problems: Problems) -> RawNetwork:
    lowered = filename.lower()
    if lowered.endswith(".xlsx") or _is_xlsx(data):
        return read_xlsx(data, filename, problems)
    if lowered.endswith(".zip") or _head(data).startswith(_ZIP_MAGIC):
        return _read_zip(filename, data, problems)
    if lowered.endswith(".csv"):
        # One CSV is a nodes file (a supplier or facility list), as `fairpath import` reads it.
        return RawNetwork(
            nodes=read_csv(data, filename, NODE_REQUIRED, problems), sources=[filename]
        )
    whole = data if isinstance(data, bytes) else data.read()
    if lowered.endswith(".graphml") or whole.lstrip()[:5] == b"<?xml":
        return read_graphml(whole, filename, problems)
    if lowered.endswith(".json") or whole.lstrip()[:1] in (b"{", b"["):
        return read_json(whole, filename, problems)
    raise UnsupportedMediaType(
        f"{filename}: unsupported file type; send a ZIP of nodes.csv and edges.csv, an XLSX "
        "workbook with 'nodes' and 'edges' sheets, JSON, GraphML, or one CSV of nodes"
    )


def read_graphml(data: bytes, file: str, problems: Problems) -> RawNetwork:
    """GraphML as Fairpath, NetworkX, Gephi and yEd write it (``supplychain.graphml``)."""
    from supplychain import graphml  # it reads RawNetwork from here: imported when used

    return graphml.read_graphml(data, file, problems)
