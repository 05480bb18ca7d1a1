"""Reading an import with its column mapping: the one way the API, the jobs and the CLI read one.

A dry run and the real import, inline or as a job, all read through here, so a mapping (and
the recognition of Open Supply Hub facility lists) applies to each of them identically. What
comes back is the raw network and the problems found so far, to hand to
``supplychain.service.import_network``: its problems then name the file's own headers too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from core.errors import BadRequest
from core.progress import Progress, no_progress
from supplychain import column_mapping, formats, open_supply_hub
from supplychain.column_mapping import ColumnMapping, MappedProblems, Reading


def read_files(
    files: Mapping[str, tuple[str, bytes | IO[bytes]]],
    *,
    mapping: ColumnMapping | None = None,
    progress: Progress = no_progress,
) -> tuple[formats.RawNetwork, MappedProblems]:
    """``formats.read_upload`` of the files, with ``mapping`` applied to each header row."""
    problems = MappedProblems()
    with column_mapping.reading(mapping, problems) as state:
        raw = formats.read_upload(files, problems, progress=progress)
    return _facilities_as_nodes(raw, state), problems


def read_document(
    document: Any, *, mapping: ColumnMapping | None = None
) -> tuple[formats.RawNetwork, MappedProblems]:
    """A JSON network document, with ``mapping`` applied to its items' keys; the document may
    carry the mapping itself under ``"mapping"`` (a JSON body has no other place for it)."""
    if isinstance(document, dict) and "mapping" in document:
        document = dict(document)
        inline = document.pop("mapping")
        if mapping:
            raise BadRequest("send the column mapping once: in the body or as a parameter")
        mapping = column_mapping.parse_mapping(inline)
    problems = MappedProblems()
    with column_mapping.reading(mapping, problems) as state:
        raw = formats.network_from_json(document, problems)
        column_mapping.map_rows(raw.nodes, "nodes", "nodes", state, problems)
        column_mapping.map_rows(raw.edges, "edges", "edges", state, problems)
    return raw, problems


def _facilities_as_nodes(raw: formats.RawNetwork, state: Reading) -> formats.RawNetwork:
    """The nodes of a facility list recognised while reading, turned into supplier rows."""
    if raw.nodes and raw.nodes[0][1].file in state.facility_lists:
        raw.nodes = open_supply_hub.facility_rows(raw.nodes, state.problems)
    return raw
