"""Request and response bodies of the network API.

Names, ids and other one-line fields are ``OneLine`` and attributes ``JsonAttributes``
(``core.text``): a control character in a stored name failed every XLSX export, and a
bidirectional override makes a name display as something it is not. Node fields are checked
again by ``supplychain.rules``, as in an import; attributes only here, as the rules leave the
API's attributes as given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.schemas import Id
from core.text import FreeText, JsonAttributes, OneLine
from supplychain.rules import MAX_COUNT
from supplychain.vocabulary import EdgeKind, NodeKind, RecruiterRole


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Networks ------------------------------------------------------------------------------------


class NetworkCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Seafood sourcing 2026",
                    "description": "Thai processors, vessels and the recruiters behind them",
                }
            ]
        }
    )
    name: OneLine = Field(min_length=1, max_length=200)
    description: FreeText = Field(default="", max_length=4000)
    organisation_id: Id | None = Field(
        default=None,
        description="Admins: the organisation that owns the network. Others: omit (your own).",
    )


class NetworkUpdate(Strict):
    name: OneLine | None = Field(default=None, min_length=1, max_length=200)
    description: FreeText | None = Field(default=None, max_length=4000)


class NetworkRead(BaseModel):
    id: int
    organisation_id: int
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime


# Nodes ---------------------------------------------------------------------------------------


class NodeFields(Strict):
    """Fields shared by create and update; meaning and cross-field rules are checked by
    ``supplychain.rules`` exactly as in a bulk import."""

    name: OneLine | None = Field(default=None, max_length=300)
    country: str | None = Field(
        default=None, description="ISO 3166-1 alpha-2 or alpha-3 code, or English short name."
    )
    sector: str | None = None
    tier: int | None = Field(
        default=None, strict=True, ge=1, le=MAX_COUNT, description="Suppliers: declared tier."
    )
    workers: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)
    migrant_workers: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)
    role: RecruiterRole | None = None
    licence: OneLine | None = Field(default=None, max_length=100)
    licence_country: str | None = None
    origin: str | None = Field(default=None, description="Worker groups: origin country.")
    destination: str | None = Field(default=None, description="Worker groups: destination.")
    products: OneLine | None = Field(
        default=None,
        max_length=500,
        description="What the site makes or handles, separated by semicolons (e.g. 'rubber "
        "gloves; latex'); sector risk is matched to the US DoL goods list by product.",
    )
    hs_codes: str | None = Field(
        default=None, max_length=200, description="HS codes of those products (4-10 digits)."
    )
    monthly_wage: float | None = Field(
        default=None,
        gt=0,
        description="Suppliers, companies and worker groups: a migrant worker's monthly wage, in "
        "wage_currency; turns survey recruitment costs in months of earnings into money.",
    )
    wage_currency: str | None = Field(default=None, description="ISO 4217 code, e.g. MYR.")
    attributes: JsonAttributes | None = None


class NodeCreate(NodeFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "external_id": "REC-MM-007",
                    "kind": "recruiter",
                    "name": "Golden Lotus Sub-agent",
                    "country": "MM",
                    "role": "sub_agent",
                    "attributes": {"township": "Hpa-An"},
                }
            ]
        }
    )
    external_id: OneLine = Field(min_length=1, max_length=100, description="Your own id.")
    kind: NodeKind
    name: OneLine = Field(min_length=1, max_length=300)
    country: str


class NodeUpdate(NodeFields):
    kind: NodeKind | None = None
    external_id: OneLine | None = Field(default=None, min_length=1, max_length=100)


class NodeRead(BaseModel):
    id: int
    network_id: int
    external_id: str
    kind: NodeKind
    name: str
    country: str
    sector: str | None
    tier: int | None
    workers: int | None
    migrant_workers: int | None
    role: RecruiterRole | None
    licence: str | None
    licence_country: str | None
    origin: str | None
    destination: str | None
    products: str | None = None
    hs_codes: str | None = None
    monthly_wage: float | None = None
    wage_currency: str | None = None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


# Edges ---------------------------------------------------------------------------------------


class EdgeFields(Strict):
    origin: str | None = Field(default=None, description="Corridor origin country.")
    destination: str | None = Field(default=None, description="Corridor destination country.")
    workers: int | None = Field(default=None, strict=True, ge=0, le=MAX_COUNT)
    share: float | None = Field(default=None, ge=0, le=1)
    attributes: JsonAttributes | None = None


class EdgeCreate(EdgeFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "REC-MM-007",
                    "target": "REC-TH-002",
                    "kind": "refers_to",
                    "origin": "MM",
                    "destination": "TH",
                    "workers": 120,
                }
            ]
        }
    )
    source: OneLine = Field(min_length=1, max_length=100, description="Source node external id.")
    target: OneLine = Field(min_length=1, max_length=100, description="Target node external id.")
    kind: EdgeKind


class EdgeUpdate(EdgeFields):
    pass


class EdgeRead(BaseModel):
    id: int
    network_id: int
    source_id: int
    target_id: int
    source: str
    target: str
    kind: EdgeKind
    origin: str | None
    destination: str | None
    workers: int | None
    share: float | None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


# Import --------------------------------------------------------------------------------------

ImportMode = Literal["upsert", "replace"]


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": False,
                    "mode": "upsert",
                    "sources": ["nodes.csv", "edges.csv"],
                    "nodes": {"created": 42, "updated": 3, "unchanged": 0, "deleted": 0},
                    "edges": {"created": 57, "updated": 1, "unchanged": 0, "deleted": 0},
                    "network_version": 7,
                }
            ]
        }
    )
    dry_run: bool
    mode: ImportMode
    sources: list[str]
    nodes: dict[str, int]
    edges: dict[str, int]
    network_version: int


# Graph queries -------------------------------------------------------------------------------


class NodeBrief(BaseModel):
    id: int
    external_id: str
    name: str
    kind: NodeKind
    country: str
    role: RecruiterRole | None = None


class TierRead(BaseModel):
    node: NodeBrief
    declared_tier: int | None
    effective_tier: int | None = Field(
        description="Hops along supplies edges to the company; null when not connected."
    )
    mismatch: bool


class ChainRead(BaseModel):
    nodes: list[NodeBrief] = Field(description="From the first recruiter to the target.")
    edge_kinds: list[str]
    origin: str | None
    destination: str | None
    workers: int | None = Field(description="Smallest known worker count along the chain.")


class ChainsRead(BaseModel):
    target: NodeBrief
    total: int = Field(description="How many chains end at the target (counted exactly).")
    limit: int
    offset: int
    chains: list[ChainRead] = Field(description="This page of them, depth first.")


class NeighbourRead(BaseModel):
    node: NodeBrief
    depth: int


class GapRead(BaseModel):
    code: str
    title: str
    node: NodeBrief | None
    message: str
    details: dict[str, Any]


class StatsRead(BaseModel):
    network_id: int
    version: int
    nodes: int
    edges: int
    nodes_by_kind: dict[str, int]
    recruiters_by_role: dict[str, int]
    edges_by_kind: dict[str, int]
    suppliers_by_effective_tier: dict[str, int]
    declared_tier_mismatches: int
    workers: int
    migrant_workers: int
    recruited_workers: int
    countries: list[str]
    corridors: int
    longest_path_hops: int
    components: int


ExportFormat = Literal["json", "csv", "xlsx", "graphml"]


class ExportJobCreate(BaseModel):
    """A network file to produce as a job, for networks too large to wait for."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"format": "xlsx"}]})

    format: ExportFormat = "json"


# Saved column mappings -------------------------------------------------------------------------

MAPPING_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$"


class ImportMappingWrite(BaseModel):
    """A column mapping to save: the file's header -> Fairpath's column, per kind of file.
    Checked by ``supplychain.column_mapping.parse_mapping`` (every problem named there)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nodes": {
                        "Supplier ID": "id",
                        "Supplier name": "name",
                        "Type": "kind",
                        "Country of operation": "country",
                    },
                    "edges": {"From": "source", "To": "target", "Relationship": "kind"},
                }
            ]
        },
    )

    nodes: dict[str, Any] = Field(default_factory=dict, description="Header -> node column.")
    edges: dict[str, Any] = Field(default_factory=dict, description="Header -> edge column.")


class ImportMappingRead(BaseModel):
    name: str
    organisation_id: int
    nodes: dict[str, str]
    edges: dict[str, str]
    created_at: datetime
    updated_at: datetime
