"""Tables of the network: a company's suppliers, recruiters and worker cohorts, and their links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import core.metadata  # noqa: F401  (constraint naming convention)
from core.clock import utcnow
from core.columns import UTCDateTime, enum_column
from supplychain.vocabulary import EdgeKind, NodeKind, RecruiterRole


class Network(SQLModel, table=True):
    """One company's mapped supply and recruitment network.

    ``version`` increases with every change to the network or its nodes and edges, so that
    graphs and scores can be cached per version and never served stale.
    """

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Node(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("network_id", "external_id"),
        Index("ix_node_network_kind", "network_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    external_id: str = Field(max_length=100)
    kind: NodeKind = Field(sa_type=enum_column(NodeKind))
    name: str = Field(max_length=300)
    country: str = Field(max_length=2)
    sector: str | None = Field(default=None, max_length=40)
    tier: int | None = None
    workers: int | None = None
    migrant_workers: int | None = None
    role: RecruiterRole | None = Field(default=None, sa_type=enum_column(RecruiterRole))
    licence: str | None = Field(default=None, max_length=100)
    licence_country: str | None = Field(default=None, max_length=2)
    origin: str | None = Field(default=None, max_length=2)
    destination: str | None = Field(default=None, max_length=2)
    # What the site makes or handles ("rubber gloves; latex") and their HS codes: sector risk
    # is matched to the goods list by product, the coarse sector being only a fallback.
    products: str | None = Field(default=None, max_length=500)
    hs_codes: str | None = Field(default=None, max_length=200)
    # A migrant worker's monthly wage here, to turn survey costs in months of earnings into money.
    monthly_wage: float | None = None
    wage_currency: str | None = Field(default=None, max_length=3)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Edge(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("network_id", "source_id", "target_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    source_id: int = Field(foreign_key="node.id", index=True)
    target_id: int = Field(foreign_key="node.id", index=True)
    kind: EdgeKind = Field(sa_type=enum_column(EdgeKind))
    origin: str | None = Field(default=None, max_length=2)
    destination: str | None = Field(default=None, max_length=2)
    workers: int | None = None
    share: float | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImportMapping(SQLModel, table=True):
    """A column mapping an organisation saved under a name, to import files from the same
    source (an ERP export, a supplier portal) again without sending the mapping each time.

    ``mapping`` is ``supplychain.column_mapping.ColumnMapping.document()``: checked when saved,
    and parsed again when used, so a mapping saved before a rule changed is still checked."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
