"""Reading network files (CSV pair, ZIP, XLSX, JSON) into raw rows with their locations.

Only reading happens here; what the values mean is checked by ``supplychain.rules``. Every row
keeps its file and row number, so a problem found later still points at the right cell.
"""

from __future__ import annotations

import csv
import functools
import gc
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePosixPath
from typing import Any, ParamSpec, TypeVar, overload

from core.errors import BadRequest, InvalidInput, UnsupportedMediaType
from core.problems import Location, Problems
from core.spreadsheet import unescape_cell
from supplychain.rules import EDGE_REQUIRED, NODE_REQUIRED

MAX_ZIP_MEMBERS = 20
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
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
    header: list[str], required: Iterable[str], file: str, problems: Problems
) -> None:
    location = Location(file=file, row=1)
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            problems.add(location, column, "column appears twice in the header")
        seen.add(column)
    for column in required:
        if column not in seen:
            problems.add(location, column, "required column is missing from the header")


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"{file} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8' and try again"
        ) from exc


@without_cyclic_gc
def read_csv(data: bytes, file: str, required: Iterable[str], problems: Problems) -> RawTable:
    text = _decode(data, file)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [normalise_header(h) for h in next(reader)]
    except StopIteration:
        problems.add(Location(file=file), None, "the file is empty")
        return RawTable(file, [], [], [])
    _check_header(header, required, file, problems)
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    short: dict[int, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
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
    except csv.Error as exc:
        raise BadRequest(f"{file} is not valid CSV near row {reader.line_num}: {exc}") from exc
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
        for index, item in enumerate(items):
            location = Location(file=section, index=index)
            if not isinstance(item, dict):
                problems.add(location, None, "must be an object")
                continue
            target.append(({normalise_header(k): v for k, v in item.items()}, location))
    return raw


def read_xlsx(data: bytes, file: str, problems: Problems) -> RawNetwork:
    import openpyxl  # imported lazily: only spreadsheet imports pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for corrupt files
        raise BadRequest(f"{file} is not a readable XLSX workbook: {exc}") from exc
    sheets = {normalise_header(name): name for name in workbook.sheetnames}
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
        rows = workbook[sheets[key]].iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            continue
        header = [normalise_header(h) for h in header_cells]
        _check_header([h for h in header if h], required, label, problems)
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            row = {h: unescape_cell(v) for h, v in zip(header, values, strict=False) if h}
            target.append((row, Location(file=label, row=number)))
    workbook.close()
    return raw


def _zip_members(data: bytes, file: str) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BadRequest(f"{file} is not a valid ZIP archive") from exc
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_ZIP_MEMBERS:
        raise BadRequest(f"{file} holds {len(infos)} files; expected nodes.csv and edges.csv")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise BadRequest(f"{file} expands to more than {MAX_UNCOMPRESSED_BYTES:,} bytes")
    for info in infos:
        name = PurePosixPath(info.filename).name
        if name.startswith(".") or info.filename.startswith("__MACOSX"):
            continue
        yield name, archive.read(info)


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def read_upload(files: dict[str, tuple[str, bytes]], problems: Problems) -> RawNetwork:
    """Read uploaded files: ``{"nodes": (filename, bytes), "edges": ...}`` for a CSV pair, or
    ``{"file": (filename, bytes)}`` for a ZIP, XLSX or JSON file."""
    if "file" in files:
        if {"nodes", "edges"} & set(files):
            raise BadRequest("send either one 'file' or the 'nodes'/'edges' CSV pair, not both")
        filename, data = files["file"]
        return read_single_file(filename, data, problems)
    if not {"nodes", "edges"} & set(files):
        raise BadRequest(
            "no network file received: upload 'nodes' and 'edges' CSV files, or one 'file' "
            "(ZIP, XLSX or JSON)"
        )
    raw = RawNetwork()
    if "nodes" in files:
        name, data = files["nodes"]
        raw.nodes = read_csv(data, name or "nodes.csv", NODE_REQUIRED, problems)
        raw.sources.append(name or "nodes.csv")
    if "edges" in files:
        name, data = files["edges"]
        raw.edges = read_csv(data, name or "edges.csv", EDGE_REQUIRED, problems)
        raw.sources.append(name or "edges.csv")
    return raw


def read_single_file(filename: str, data: bytes, problems: Problems) -> RawNetwork:
    lowered = filename.lower()
    if lowered.endswith(".xlsx") or _is_xlsx(data):
        return read_xlsx(data, filename, problems)
    if lowered.endswith(".zip") or data.startswith(_ZIP_MAGIC):
        raw = RawNetwork(sources=[filename])
        members = dict(_zip_members(data, filename))
        lowered_members = {name.lower(): name for name in members}
        if "nodes.csv" not in lowered_members and "edges.csv" not in lowered_members:
            raise InvalidInput(
                f"{filename} must contain nodes.csv and/or edges.csv",
                errors=[{"file": filename, "message": f"found: {', '.join(members) or 'nothing'}"}],
            )
        if "nodes.csv" in lowered_members:
            real = lowered_members["nodes.csv"]
            raw.nodes = read_csv(members[real], real, NODE_REQUIRED, problems)
        if "edges.csv" in lowered_members:
            real = lowered_members["edges.csv"]
            raw.edges = read_csv(members[real], real, EDGE_REQUIRED, problems)
        return raw
    if lowered.endswith(".graphml") or data.lstrip()[:5] == b"<?xml":
        return read_graphml(data, filename, problems)
    if lowered.endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        return read_json(data, filename, problems)
    raise UnsupportedMediaType(
        f"{filename}: unsupported file type; send a ZIP of nodes.csv and edges.csv, an XLSX "
        "workbook with 'nodes' and 'edges' sheets, JSON or GraphML"
    )


def read_graphml(data: bytes, file: str, problems: Problems) -> RawNetwork:
    """GraphML as Fairpath exports it: node ids are the user's ids, edge keys the edge kind."""
    import networkx as nx

    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise BadRequest(f"{file}: GraphML with a DOCTYPE or entities is not accepted")
    try:
        graph = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    except Exception as exc:  # networkx raises several parser error types
        raise BadRequest(f"{file} is not readable GraphML: {exc}") from exc
    nodes: list[tuple[RawRow, Location]] = []
    edges: list[tuple[RawRow, Location]] = []
    for index, (node, attributes) in enumerate(graph.nodes(data=True)):
        row = {normalise_header(k): v for k, v in attributes.items()}
        row["id"] = node
        nodes.append((row, Location(file=f"{file}:nodes", index=index)))
    for index, (source, target, key, attributes) in enumerate(graph.edges(keys=True, data=True)):
        row = {normalise_header(k): v for k, v in attributes.items()}
        row.setdefault("kind", key)
        row.update(source=source, target=target)
        edges.append((row, Location(file=f"{file}:edges", index=index)))
    return RawNetwork(nodes=nodes, edges=edges, sources=[file])
