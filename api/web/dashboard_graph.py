"""The network view: chains from recruiters to the buyer, drawn as a graph coloured by band.

The page works without a script (filter forms and a table of the nodes shown); the script
(``static/network_graph.js``, Cytoscape.js served from the app) fetches the same subgraph as
JSON and draws it. Both routes choose the subgraph on the server (``graph_view``), so a
100,000-node network is never sent to a browser whole.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from api.deps import SessionDep, SettingsDep
from api.web import graph_view
from api.web.dashboard_session import (
    HEADERS,
    NeedsSignIn,
    PageError,
    base_context,
    guarded,
    network_for,
    page,
    signed_in,
    utc_now,
)
from audit.scores.service import ScoringContext, scoring_context
from core.errors import FairpathError
from scoring.network import BANDS, INSUFFICIENT

router = APIRouter(include_in_schema=False)

# The band vocabulary of the dashboard, worst first, and "not assessed" apart: never as low.
LEGEND = [*reversed(BANDS), INSUFFICIENT]
SupplierParam = Annotated[str | None, Query(max_length=200)]
CorridorParam = Annotated[str | None, Query(max_length=40)]


class GraphNode(BaseModel):
    id: int
    name: str
    kind: str
    role: str | None
    country: str
    band: str
    exposure: float
    exposure_band: str
    url: str


class GraphEdge(BaseModel):
    source: int
    target: int
    kind: str


class GraphData(BaseModel):
    """What the script draws; ``total`` and ``left_out`` say honestly what it does not."""

    title: str
    scope: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    shown: int
    total: int
    left_out: int
    network_nodes: int
    focus: int | None
    corridor: str | None
    notes: list[str]


def _view(context: ScoringContext, supplier: str | None, corridor: str | None) -> graph_view.View:
    """One node's chain when asked (it wins over a corridor), else the corridor, else the
    riskiest chains; a node or corridor this network does not have is "not found"."""
    if supplier and supplier.strip():
        node_id = graph_view.find_node(context, supplier)
        if node_id is None:
            raise PageError(404, f"This network has no node {supplier.strip()!r}.")
        return graph_view.node_chain(context, node_id)
    if corridor and corridor.strip():
        view = graph_view.corridor_view(context, corridor)
        if view is None:
            raise PageError(404, f"This network has no corridor {corridor.strip()!r}.")
        return view
    return graph_view.riskiest_chains(context)


def _data(network_id: int, context: ScoringContext, view: graph_view.View) -> GraphData:
    scores = context.scores
    base = f"/dashboard/networks/{network_id}/nodes"
    nodes = []
    for node_id in view.nodes:
        score = scores.nodes[node_id]
        facts = score.node
        nodes.append(
            GraphNode(
                id=node_id,
                name=facts.name,
                kind=facts.kind,
                role=facts.role,
                country=facts.country,
                band=score.band,
                exposure=scores.exposure(node_id),
                exposure_band=scores.exposure_band(node_id),
                url=f"{base}/{node_id}",
            )
        )
    return GraphData(
        title=view.title,
        scope=view.scope,
        nodes=nodes,
        edges=[GraphEdge(source=s, target=t, kind=k) for s, t, k in view.edges],
        shown=len(view.nodes),
        total=view.total,
        left_out=view.left_out,
        network_nodes=view.network_nodes,
        focus=view.focus,
        corridor=view.corridor,
        notes=view.notes,
    )


@router.get("/dashboard/networks/{network_id}/graph", response_class=HTMLResponse)
@guarded
def graph_page(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    supplier: SupplierParam = None,
    corridor: CorridorParam = None,
) -> Response:
    principal, csrf = signed_in(request, session, settings)
    network = network_for(session, principal, network_id)
    context = scoring_context(session, network, now=utc_now())
    supplier, corridor = (supplier or "").strip(), (corridor or "").strip()
    context_extra = {
        "network": network,
        "tab": "graph",
        "corridors": graph_view.corridor_choices(context),
        "suggestions": graph_view.node_choices(context.scores),
        "supplier": supplier,
        "corridor": corridor,
        "legend": LEGEND,
    }
    try:
        view = _view(context, supplier, corridor)
    except PageError as error:  # a mistyped filter: say so beside the filters, keep them
        return page(
            "graph.html",
            error.status,
            **base_context(principal, csrf, **context_extra, view=None, error=error.message),
        )
    query = urlencode({k: v for k, v in (("supplier", supplier), ("corridor", corridor)) if v})
    data_url = f"/dashboard/networks/{network_id}/graph.json" + (f"?{query}" if query else "")
    return page(
        "graph.html",
        **base_context(
            principal,
            csrf,
            **context_extra,
            view=view,
            error=None,
            data=_data(network_id, context, view),
            data_url=data_url,
            focus_name=context.graph.nodes[view.focus]["name"] if view.focus else "",
        ),
    )


@router.get("/dashboard/networks/{network_id}/graph.json")
def graph_data(
    network_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    supplier: SupplierParam = None,
    corridor: CorridorParam = None,
) -> Response:
    """The page's subgraph for its script. Errors come as JSON, not as the pages ``guarded``
    would show: a script reads this, and a signed-out fetch should hear 401, not a redirect."""
    try:
        principal, _csrf = signed_in(request, session, settings)
        network = network_for(session, principal, network_id)
        context = scoring_context(session, network, now=utc_now())
        data = _data(network_id, context, _view(context, supplier, corridor))
    except NeedsSignIn:
        return JSONResponse({"detail": "Sign in again."}, 401, headers=HEADERS)
    except PageError as error:
        return JSONResponse({"detail": error.message}, error.status, headers=HEADERS)
    except FairpathError as error:
        return JSONResponse({"detail": error.detail}, error.status, headers=HEADERS)
    return JSONResponse(data.model_dump(mode="json"), headers=HEADERS)
