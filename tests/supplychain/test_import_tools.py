"""Importing what other tools write: XLSX reports with title rows above the header, GraphML
from Gephi and yEd, and NetworkX node-link JSON; each read into the network it describes or
refused with the row (or node) and column at fault."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import networkx as nx
from openpyxl import Workbook

from tests.builders import Actor, World, create_network


def _import(actor: Actor, network: dict, filename: str, content: bytes, **params: Any) -> Any:
    return actor.post(
        f"/api/v1/networks/{network['id']}/import",
        files={"file": (filename, content)},
        params=params,
    )


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


def _nodes(actor: Actor, network: dict) -> dict[str, dict[str, Any]]:
    items = actor.get(f"/api/v1/networks/{network['id']}/nodes").json()["items"]
    return {
        n["external_id"]: {
            "kind": n["kind"],
            "name": n["name"],
            "country": n["country"],
            "workers": n["workers"],
            "attributes": n["attributes"],
        }
        for n in items
    }


def _edges(actor: Actor, network: dict) -> set[tuple[str, str, str, int | None]]:
    items = actor.get(f"/api/v1/networks/{network['id']}/edges").json()["items"]
    return {(e["source"], e["target"], e["kind"], e["workers"]) for e in items}


# XLSX with title rows ---------------------------------------------------------------------------


def _titled_workbook(
    nodes: list[list[Any]],
    edges: list[list[Any]],
    *,
    node_titles: int = 3,
    edge_titles: int = 1,
) -> bytes:
    """A workbook as a report writer saves it: a title merged across the columns, on the nodes
    sheet a subtitle and a blank row too, then the header and the rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Nodes"
    sheet["A1"] = "Supplier and recruiter register - Q3 2025"
    sheet.merge_cells("A1:F1")
    if node_titles >= 2:
        sheet["A2"] = "Prepared by the sourcing team; confidential"
        sheet.merge_cells("A2:F2")
    for offset, row in enumerate(nodes):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=node_titles + 1 + offset, column=column, value=value)
    edge_sheet = workbook.create_sheet("Edges")
    edge_sheet["A1"] = "Links"
    edge_sheet.merge_cells("A1:D1")
    for offset, row in enumerate(edges):
        for column, value in enumerate(row, start=1):
            edge_sheet.cell(row=edge_titles + 1 + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


NODE_SHEET: list[list[Any]] = [
    ["ID", "Kind", "Name", "Country", "Workers", "City", "Role"],
    ["CO", "company", "Northwind Foods", "GB", None, "London"],
    ["S1", "supplier", "Gulf Processing", "TH", 500, "Samut Sakhon"],
    ["DA", "recruiter", "Siam Manpower", "TH", None, None, "destination agency"],
]
EDGE_SHEET: list[list[Any]] = [
    ["Source", "Target", "Kind", "Workers"],
    ["S1", "CO", "supplies", None],
    ["DA", "S1", "recruits_for", 100],
]


def test_xlsx_title_rows_above_the_header_are_skipped_on_both_sheets(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    content = _titled_workbook(NODE_SHEET, EDGE_SHEET)
    response = _import(world.analyst_a, network, "register.xlsx", content)
    assert response.status_code == 200, response.text
    assert _nodes(world.analyst_a, network) == {
        "CO": {
            "kind": "company",
            "name": "Northwind Foods",
            "country": "GB",
            "workers": None,
            "attributes": {"city": "London"},
        },
        "S1": {
            "kind": "supplier",
            "name": "Gulf Processing",
            "country": "TH",
            "workers": 500,
            "attributes": {"city": "Samut Sakhon"},
        },
        "DA": {
            "kind": "recruiter",
            "name": "Siam Manpower",
            "country": "TH",
            "workers": None,
            "attributes": {},
        },
    }
    assert _edges(world.analyst_a, network) == {
        ("S1", "CO", "supplies", None),
        ("DA", "S1", "recruits_for", 100),
    }


def test_xlsx_errors_name_the_spreadsheet_row_below_the_titles(world: World) -> None:
    network = create_network(world.analyst_a)
    nodes = [
        *NODE_SHEET[:3],
        ["DA", "recruiter", "Siam Manpower", "Atlantis", None, None, "sub_agent"],
    ]
    edges = [*EDGE_SHEET[:2], ["S1", "S9", "supplies", None]]
    errors = _errors(
        _import(world.analyst_a, network, "register.xlsx", _titled_workbook(nodes, edges))
    )
    # Header on Excel row 4 (title, subtitle, blank above it): DA is row 7. Edges: a title,
    # the header on row 2, then S1 -> CO and S1 -> S9 on row 4.
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [
        ("register.xlsx:Nodes", 7, "country"),
        ("register.xlsx:Edges", 4, "target"),
    ]
    assert errors[0]["value"] == "Atlantis"


def test_xlsx_header_missing_a_column_below_a_title_is_reported_on_its_own_row(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    nodes = [row[:3] for row in NODE_SHEET]  # no country column
    errors = _errors(
        _import(world.analyst_a, network, "r.xlsx", _titled_workbook(nodes, EDGE_SHEET))
    )
    assert {
        "file": "r.xlsx:Nodes",
        "row": 4,
        "column": "country",
        "message": "required column is missing from the header",
    } in errors


def test_xlsx_without_a_header_in_its_first_rows_is_refused_naming_sheet_and_columns(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "nodes"
    for number in range(1, 26):
        sheet.cell(row=number, column=1, value=f"note {number}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = _errors(_import(world.analyst_a, network, "notes.xlsx", buffer.getvalue()))
    assert errors == [
        {
            "file": "notes.xlsx:nodes",
            "message": "no header row in the first 20 rows: expected a row naming the columns "
            "id, kind, name, country",
        }
    ]
    assert _nodes(world.analyst_a, network) == {}


# GraphML from Gephi -------------------------------------------------------------------------------

# As Gephi 0.10 exports a graph (File > Export > Graph file, GraphML): node ids as typed in its
# data laboratory, the name under "label", its drawing keys, a statistic's column, and every edge
# with an id and a weight; one edge's kind typed as a column, two as the edge label.
GEPHI = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key attr.name="label" attr.type="string" for="node" id="label"/>
<key attr.name="Edge Label" attr.type="string" for="edge" id="edgelabel"/>
<key attr.name="weight" attr.type="double" for="edge" id="weight"/>
<key attr.name="r" attr.type="int" for="node" id="r"/>
<key attr.name="g" attr.type="int" for="node" id="g"/>
<key attr.name="b" attr.type="int" for="node" id="b"/>
<key attr.name="x" attr.type="float" for="node" id="x"/>
<key attr.name="y" attr.type="float" for="node" id="y"/>
<key attr.name="size" attr.type="float" for="node" id="size"/>
<key attr.name="kind" attr.type="string" for="node" id="kind"/>
<key attr.name="country" attr.type="string" for="node" id="country"/>
<key attr.name="workers" attr.type="int" for="node" id="workers"/>
<key attr.name="role" attr.type="string" for="node" id="role"/>
<key attr.name="Modularity Class" attr.type="int" for="node" id="modularity_class"/>
<key attr.name="kind" attr.type="string" for="edge" id="kind"/>
<key attr.name="workers" attr.type="int" for="edge" id="workers"/>
<graph edgedefault="directed">
<node id="n0">
<data key="label">Northwind Foods</data>
<data key="kind">company</data>
<data key="country">GB</data>
<data key="modularity_class">0</data>
<data key="size">10.0</data>
<data key="r">153</data>
<data key="g">0</data>
<data key="b">255</data>
<data key="x">-12.5</data>
<data key="y">40.25</data>
</node>
<node id="n1">
<data key="label">Gulf Processing</data>
<data key="kind">supplier</data>
<data key="country">TH</data>
<data key="workers">500</data>
<data key="modularity_class">1</data>
<data key="size">10.0</data>
<data key="r">0</data>
<data key="g">192</data>
<data key="b">0</data>
<data key="x">80.0</data>
<data key="y">-3.0</data>
</node>
<node id="n2">
<data key="label">Siam Manpower</data>
<data key="kind">recruiter</data>
<data key="role">destination_agency</data>
<data key="country">TH</data>
<data key="modularity_class">1</data>
<data key="size">10.0</data>
<data key="x">5.0</data>
<data key="y">7.5</data>
</node>
<edge id="0" source="n1" target="n0">
<data key="edgelabel">supplies</data>
<data key="weight">1.0</data>
</edge>
<edge id="1" source="n2" target="n1">
<data key="kind">recruits_for</data>
<data key="workers">100</data>
<data key="weight">1.0</data>
</edge>
</graph>
</graphml>
"""


def test_gephi_graphml_reads_labels_as_names_and_drops_what_gephi_draws_with(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    response = _import(world.analyst_a, network, "gephi.graphml", GEPHI.encode())
    assert response.status_code == 200, response.text
    assert _nodes(world.analyst_a, network) == {
        "n0": {
            "kind": "company",
            "name": "Northwind Foods",
            "country": "GB",
            "workers": None,
            "attributes": {"modularity_class": 0},
        },
        "n1": {
            "kind": "supplier",
            "name": "Gulf Processing",
            "country": "TH",
            "workers": 500,
            "attributes": {"modularity_class": 1},
        },
        "n2": {
            "kind": "recruiter",
            "name": "Siam Manpower",
            "country": "TH",
            "workers": None,
            "attributes": {"modularity_class": 1},
        },
    }
    assert _edges(world.analyst_a, network) == {
        ("n1", "n0", "supplies", None),
        ("n2", "n1", "recruits_for", 100),
    }


def test_a_gephi_node_without_a_kind_is_refused_naming_the_node_and_the_attribute(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    broken = GEPHI.replace('<data key="kind">recruiter</data>\n', "", 1).replace(
        '<data key="workers">500</data>', '<data key="workers">many</data>'
    )
    for dry_run in (True, False):  # one reading and one set of rules for both
        errors = _errors(
            _import(
                world.analyst_a,
                network,
                "gephi.graphml",
                broken.encode(),
                dry_run=dry_run,
            )
        )
        assert errors == [
            {
                "file": "gephi.graphml:nodes",
                "index": 1,
                "where": "node n1",
                "column": "workers",
                "value": "many",
                "message": "must be a whole number, as its GraphML key declares",
            },
            {
                "file": "gephi.graphml:nodes",
                "index": 2,
                "where": "node n2",
                "column": "kind",
                "message": "required, but empty",
            },
        ]
    assert _nodes(world.analyst_a, network) == {}


def test_a_gephi_edge_with_neither_kind_nor_label_is_refused_on_the_edge(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    broken = GEPHI.replace('<data key="edgelabel">supplies</data>\n', "")
    errors = _errors(_import(world.analyst_a, network, "gephi.graphml", broken.encode()))
    # Gephi's edge id "0" is a number, not an edge kind: the kind is reported missing.
    assert errors == [
        {
            "file": "gephi.graphml:edges",
            "index": 0,
            "where": "edge n1 -> n0",
            "column": "kind",
            "message": "required, but empty",
        }
    ]


# GraphML from yEd ---------------------------------------------------------------------------------

# As yEd 3.x saves a diagram: its standard keys (url, description, graphics, resources), custom
# properties declared in its property manager (with a default), labels in the graphics.
YED = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"
    xmlns:java="http://www.yworks.com/xml/yfiles-common/1.0/java"
    xmlns:sys="http://www.yworks.com/xml/yfiles-common/markup/primitives/2.0"
    xmlns:x="http://www.yworks.com/xml/yfiles-common/markup/2.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:y="http://www.yworks.com/xml/graphml" xmlns:yed="http://www.yworks.com/xml/yed/3"
    xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns YGRAPHML_XSD">
  <!--Created by yEd 3.23.2-->
  <key attr.name="Description" attr.type="string" for="graph" id="d0"/>
  <key for="port" id="d1" yfiles.type="portgraphics"/>
  <key for="port" id="d2" yfiles.type="portgeometry"/>
  <key for="port" id="d3" yfiles.type="portuserdata"/>
  <key attr.name="kind" attr.type="string" for="node" id="d4">
    <default><![CDATA[supplier]]></default>
  </key>
  <key attr.name="country" attr.type="string" for="node" id="d5">
    <default><![CDATA[TH]]></default>
  </key>
  <key attr.name="url" attr.type="string" for="node" id="d6"/>
  <key attr.name="description" attr.type="string" for="node" id="d7"/>
  <key for="node" id="d8" yfiles.type="nodegraphics"/>
  <key for="graphml" id="d9" yfiles.type="resources"/>
  <key attr.name="url" attr.type="string" for="edge" id="d10"/>
  <key attr.name="description" attr.type="string" for="edge" id="d11"/>
  <key for="edge" id="d12" yfiles.type="edgegraphics"/>
  <graph edgedefault="directed" id="G">
    <data key="d0"/>
    <node id="n0">
      <data key="d4"><![CDATA[company]]></data>
      <data key="d5"><![CDATA[GB]]></data>
      <data key="d8">
        <y:ShapeNode>
          <y:Geometry height="30.0" width="120.0" x="200.0" y="0.0"/>
          <y:Fill color="#FFCC00" transparent="false"/>
          <y:BorderStyle color="#000000" raised="false" type="line" width="1.0"/>
          <y:NodeLabel alignment="center" autoSizePolicy="content" fontFamily="Dialog" fontSize="12"
              fontStyle="plain" hasBackgroundColor="false" hasLineColor="false" height="18.1"
              horizontalTextPosition="center" iconTextGap="4" modelName="custom" textColor="#000000"
              verticalTextPosition="bottom" visible="true" width="101.0" x="9.5"
              xml:space="preserve" y="5.9">Northwind Foods<y:LabelModel><y:SmartNodeLabelModel
              distance="4.0"/></y:LabelModel></y:NodeLabel>
          <y:Shape type="rectangle"/>
        </y:ShapeNode>
      </data>
    </node>
    <node id="n1">
      <data key="d7"><![CDATA[Audited in May]]></data>
      <data key="d8">
        <y:ShapeNode>
          <y:Geometry height="30.0" width="120.0" x="0.0" y="80.0"/>
          <y:Fill color="#FFCC00" transparent="false"/>
          <y:NodeLabel alignment="center" autoSizePolicy="content" modelName="custom" visible="true"
              xml:space="preserve">Gulf Processing</y:NodeLabel>
          <y:Shape type="roundrectangle"/>
        </y:ShapeNode>
      </data>
    </node>
    <edge id="e0" source="n1" target="n0">
      <data key="d12">
        <y:PolyLineEdge>
          <y:Path sx="0.0" sy="0.0" tx="0.0" ty="0.0"/>
          <y:LineStyle color="#000000" type="line" width="1.0"/>
          <y:Arrows source="none" target="standard"/>
          <y:EdgeLabel alignment="center" distance="2.0" modelName="centered" visible="true"
              xml:space="preserve">supplies</y:EdgeLabel>
          <y:BendStyle smoothed="false"/>
        </y:PolyLineEdge>
      </data>
    </edge>
  </graph>
  <data key="d9">
    <y:Resources/>
  </data>
</graphml>
""".replace("YGRAPHML_XSD", "http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd")


def test_yed_graphml_reads_node_labels_custom_properties_and_their_defaults(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    response = _import(world.analyst_a, network, "diagram.graphml", YED.encode())
    assert response.status_code == 200, response.text
    assert _nodes(world.analyst_a, network) == {
        "n0": {
            "kind": "company",
            "name": "Northwind Foods",
            "country": "GB",
            "workers": None,
            "attributes": {},
        },
        "n1": {  # kind and country are the properties' defaults
            "kind": "supplier",
            "name": "Gulf Processing",
            "country": "TH",
            "workers": None,
            "attributes": {"description": "Audited in May"},
        },
    }
    assert _edges(world.analyst_a, network) == {("n1", "n0", "supplies", None)}


def test_a_yed_node_without_a_label_and_an_unlabelled_edge_are_refused_by_id(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    broken = YED.replace(">Gulf Processing<", "><").replace(">supplies<", "><")
    errors = _errors(_import(world.analyst_a, network, "diagram.graphml", broken.encode()))
    assert [(e["file"], e["where"], e["column"], e["message"]) for e in errors] == [
        ("diagram.graphml:nodes", "node n1", "name", "required, but empty"),
        ("diagram.graphml:edges", "edge n1 -> n0", "kind", "required, but empty"),
    ]


def test_graphml_data_under_an_undeclared_key_is_refused_on_its_node(
    world: World,
) -> None:
    network = create_network(world.analyst_a)
    broken = GEPHI.replace('<data key="size">10.0</data>', '<data key="d99">10.0</data>', 1)
    errors = _errors(_import(world.analyst_a, network, "gephi.graphml", broken.encode()))
    assert errors == [
        {
            "file": "gephi.graphml:nodes",
            "index": 0,
            "where": "node n0",
            "column": "d99",
            "message": "no <key> is declared for this node data",
        }
    ]


def test_graphml_with_entities_is_refused_in_any_encoding(world: World) -> None:
    network = create_network(world.analyst_a)
    bomb = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE graphml [<!ENTITY a "aaaaaaaa">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph/></graphml>'
    )
    response = _import(world.analyst_a, network, "bomb.graphml", bomb.encode("utf-16"))
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == (
        "bomb.graphml: GraphML with a DOCTYPE or entities is not accepted"
    )


# NetworkX node-link JSON --------------------------------------------------------------------------


def _networkx_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="from a notebook")
    graph.add_node("CO", kind="company", name="Northwind Foods", country="GB")
    graph.add_node("S1", kind="supplier", label="Gulf Processing", country="TH", workers=500)
    graph.add_node(
        "DA",
        kind="recruiter",
        name="Siam Manpower",
        country="TH",
        role="sub_agent",
        audited=True,
    )
    graph.add_edge("S1", "CO", key="supplies")
    graph.add_edge("DA", "S1", key="recruits_for", workers=100)
    return graph


EXPECTED_NODES = {
    "CO": {
        "kind": "company",
        "name": "Northwind Foods",
        "country": "GB",
        "workers": None,
        "attributes": {},
    },
    "S1": {  # a label, where NetworkX users have no name
        "kind": "supplier",
        "name": "Gulf Processing",
        "country": "TH",
        "workers": 500,
        "attributes": {},
    },
    "DA": {
        "kind": "recruiter",
        "name": "Siam Manpower",
        "country": "TH",
        "workers": None,
        "attributes": {"audited": True},
    },
}


def test_node_link_json_with_edges_or_links_imports_the_graph(world: World) -> None:
    graph = _networkx_graph()
    documents = {
        "edges": nx.node_link_data(graph),  # NetworkX 3.4 and later
        "links": nx.node_link_data(graph, edges="links"),  # before 3.4
    }
    assert "edges" in documents["edges"] and "links" in documents["links"]
    for label, document in documents.items():
        network = create_network(world.analyst_a, label)
        response = _import(world.analyst_a, network, "graph.json", json.dumps(document).encode())
        assert response.status_code == 200, (label, response.text)
        assert _nodes(world.analyst_a, network) == EXPECTED_NODES, label
        assert _edges(world.analyst_a, network) == {
            ("S1", "CO", "supplies", None),
            ("DA", "S1", "recruits_for", 100),
        }, label


def test_node_link_json_of_a_simple_digraph_takes_the_kind_from_an_attribute(
    world: World,
) -> None:
    graph = nx.DiGraph()
    graph.add_node(1, kind="company", name="Buyer", country="GB")
    graph.add_node(2, kind="supplier", name="Mill", country="IN")
    graph.add_edge(2, 1, kind="supplies")
    network = create_network(world.analyst_a)
    document = nx.node_link_data(graph)
    assert document["multigraph"] is False
    response = world.analyst_a.post(f"/api/v1/networks/{network['id']}/import", json=document)
    assert response.status_code == 200, response.text
    assert set(_nodes(world.analyst_a, network)) == {"1", "2"}
    assert _edges(world.analyst_a, network) == {("2", "1", "supplies", None)}


def test_node_link_problems_name_the_section_index_and_node(world: World) -> None:
    graph = _networkx_graph()
    del graph.nodes["S1"]["country"]
    graph.add_edge("DA", "CO", key=0)  # NetworkX's own key: a number, no kind
    document = nx.node_link_data(graph, edges="links")
    network = create_network(world.analyst_a)
    errors = _errors(_import(world.analyst_a, network, "graph.json", json.dumps(document).encode()))
    assert errors == [
        {
            "file": "nodes",
            "index": 1,
            "where": "node S1",
            "column": "country",
            "message": "required, but empty",
        },
        {
            "file": "links",
            "index": 2,
            "where": "edge DA -> CO",
            "column": "kind",
            "message": "required, but empty",
        },
    ]


def test_node_link_json_with_both_links_and_edges_is_refused(world: World) -> None:
    document = nx.node_link_data(_networkx_graph())
    document["links"] = document["edges"]
    network = create_network(world.analyst_a)
    errors = _errors(_import(world.analyst_a, network, "graph.json", json.dumps(document).encode()))
    assert errors == [{"field": "links", "message": 'send the edges once, as "edges"'}]
