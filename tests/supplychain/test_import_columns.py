"""The fast CSV import path: reading files as columns, validating whole columns, and writing
through the driver, all held to what the row-by-row rules and the ORM would have done."""

from __future__ import annotations

import gc
from dataclasses import asdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import InvalidInput
from core.organisations.models import Organisation
from core.problems import Location, Problems
from core.tenancy import Scope
from supplychain import formats, rules
from supplychain import service as networks
from supplychain.models import Node
from supplychain.schemas import NetworkCreate
from tests.builders import World, create_network

# Cells worth trying in each column: good values in several spellings, and bad ones.
NODE_CELLS: dict[str, list[str]] = {
    "id": ["S1", "S2", " S3 ", "CO", "", "  ", "a\x01b", "x" * 100, "x" * 101],
    "kind": ["supplier", "Supplier", " company ", "recruiter", "worker group", "factory", ""],
    "name": ["Gulf Processing", " padded ", "", "x" * 300, "x" * 301],
    "country": ["TH", "tha", "Thailand", "Myanmar (Burma)", "Viet Nam", "Atlantis", ""],
    "sector": ["", "fishing", "Seafood Processing", "palm-oil", "space"],
    "tier": ["", "1", "3", "1.0", "0", "-1", "1.5", "abc", "3000000000"],
    "workers": ["", "10", "1,200", "1 200", "500", "-3", "12a", "10.0"],
    "migrant_workers": ["", "0", "5", "11", "400", "x"],
    "role": ["", "sub agent", "origin-agency", "DESTINATION_AGENCY", "boss"],
    "licence": ["", "TH-1001", " L ", "x" * 101],
    "licence_country": ["", "TH", "zz"],
    "origin": ["", "MM", "Myanmar", "xx"],
    "destination": ["", "TH", "yy"],
    "products": ["", "gloves; latex", "a, b, a", ";", "x" * 501],
    "hs_codes": ["", "4015.19", "401519; 4015", "12", "abcd"],
    "monthly_wage": ["", "1500", "1,500.50", "0", "-1", "abc", "nan", "1e13"],
    "wage_currency": ["", "MYR", "myr", "US"],
    "city": ["", "Bangkok", " Samut Sakhon ", "x" * 2001],
}
EDGE_CELLS: dict[str, list[str]] = {
    "source": ["S1", "S2", " S1 ", "", "x" * 101],
    "target": ["S1", "S2", "CO", "", "  "],
    "kind": ["supplies", "recruits for", "refers-to", "employed_by", "owns", ""],
    "origin": ["", "MM", "zz"],
    "destination": ["", "TH", "Thailand"],
    "workers": ["", "5", "1,000", "-1", "x"],
    "share": ["", "0.4", "40%", "1", "1.5", "abc", "nan"],
    "note": ["", "by boat", "x" * 2001],
}


@st.composite
def _files(draw: st.DrawFn, cells: dict[str, list[str]]) -> tuple[list[str], list[list[str]]]:
    """A header (some columns left out) and rows drawn from the cells, mostly good ones."""
    header = [name for name in cells if draw(st.sampled_from([True, True, True, False]))]
    good = st.sampled_from
    rows = draw(
        st.lists(
            st.tuples(*(good(cells[name][:3]) | good(cells[name]) for name in header)),
            max_size=25,
        )
    )
    return header, [list(row) for row in rows]


def _check_columns_agree_with_rows(
    header: list[str],
    rows: list[list[str]],
    parse_row: Any,
    parse_columns: Any,
) -> None:
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    fast = parse_columns(columns, len(rows))
    assert len(fast) == len(rows)
    for number, (row, record) in enumerate(zip(rows, fast, strict=True), start=2):
        problems = Problems()
        expected = parse_row(
            dict(zip(header, row, strict=True)), Location("f.csv", number), problems
        )
        if expected is None:
            assert record is None  # the caller then reports the row's problems one by one
        else:
            assert not problems
            assert record is not None and asdict(record) == asdict(expected)
            assert list(record.attributes) == list(expected.attributes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files(NODE_CELLS))
def test_node_columns_accept_exactly_the_rows_parse_node_accepts(
    file: tuple[list[str], list[list[str]]],
) -> None:
    _check_columns_agree_with_rows(*file, rules.parse_node, rules.parse_node_columns)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files(EDGE_CELLS))
def test_edge_columns_accept_exactly_the_rows_parse_edge_accepts(
    file: tuple[list[str], list[list[str]]],
) -> None:
    _check_columns_agree_with_rows(*file, rules.parse_edge, rules.parse_edge_columns)


def test_a_missing_required_column_sends_every_row_to_the_row_rules() -> None:
    columns = {"id": ["S1", "S2"], "kind": ["supplier", "supplier"], "name": ["A", "B"]}
    assert rules.parse_node_columns(columns, 2) == [None, None]


# Reading ----------------------------------------------------------------------------------------


def test_csv_rows_read_as_columns_are_the_rows_of_the_file() -> None:
    data = (
        b"id,kind,name,country,city\n"
        b"S1,supplier,'=HYPERLINK(1),TH,Bangkok\n"
        b"\n"
        b" , ,,,\n"
        b"S2,supplier,Short\n"
        b"S3,supplier,Long,TH,x,y\n"
        b"S4,supplier,Last,TH,\n"
    )
    problems = Problems()
    table = formats.read_csv(data, "nodes.csv", rules.NODE_REQUIRED, problems)
    assert [row for row, _location in table] == [
        {
            "id": "S1",
            "kind": "supplier",
            "name": "=HYPERLINK(1)",
            "country": "TH",
            "city": "Bangkok",
        },
        {"id": "S2", "kind": "supplier", "name": "Short"},  # no value for the missing cells
        {"id": "S4", "kind": "supplier", "name": "Last", "country": "TH", "city": ""},
    ]
    assert [location.row for _row, location in table] == [2, 5, 7]
    assert table[-1][1] == Location(file="nodes.csv", row=7)
    assert problems.items == [
        {"file": "nodes.csv", "row": 6, "message": "6 cells but 5 columns"},
    ]
    columns = table.columns()
    assert columns is not None and columns["city"] == ["Bangkok", "", ""]


def test_a_header_naming_a_column_twice_is_read_row_by_row() -> None:
    problems = Problems()
    table = formats.read_csv(
        b"id,kind,name,country,id\nS1,supplier,A,TH\n", "nodes.csv", (), problems
    )
    assert table.columns() is None
    assert table[0][0]["id"] == "S1"  # a short row keeps the first id: the second is missing
    assert problems.items[0]["message"] == "column appears twice in the header"


# Importing --------------------------------------------------------------------------------------


def _upload(world: World, network: dict, nodes: str, edges: str, **params: Any) -> Any:
    return world.analyst_a.post(
        f"/api/v1/networks/{network['id']}/import",
        files={"nodes": ("nodes.csv", nodes.encode()), "edges": ("edges.csv", edges.encode())},
        params=params,
    )


_UNKNOWN_COUNTRY = "unknown country: use an ISO 3166-1 code (TH, THA) or English name (Thailand)"
_NEEDS_ROLE = (
    "a recruiter needs a role: one of destination_agency, origin_agency, sub_agent, informal_broker"
)
# Row problems in file order, then the whole-network ones (kinds, endpoints, cycles), exactly as
# the row-by-row import listed them.
EXPECTED_PROBLEMS = [
    {
        "file": "nodes.csv",
        "row": 302,
        "column": "id",
        "value": "S7",
        "message": "duplicate id (first used on row 9)",
    },
    {
        "file": "nodes.csv",
        "row": 303,
        "column": "country",
        "value": "Narnia",
        "message": _UNKNOWN_COUNTRY,
    },
    {"file": "nodes.csv", "row": 304, "column": "role", "message": _NEEDS_ROLE},
    {
        "file": "nodes.csv",
        "row": 305,
        "column": "tier",
        "value": "2",
        "message": "only suppliers have a tier, not a recruiter",
    },
    {
        "file": "edges.csv",
        "row": 303,
        "column": "target",
        "message": "duplicate edge (same source, target and kind as row 2)",
    },
    {
        "file": "edges.csv",
        "row": 306,
        "column": "target",
        "value": "S4",
        "message": "an edge cannot point to its own source",
    },
    {
        "file": "edges.csv",
        "row": 302,
        "column": "kind",
        "value": "recruits_for",
        "message": "S5 is a supplier and S6 a supplier: recruits_for goes from recruiter to "
        "company or supplier",
    },
    {
        "file": "edges.csv",
        "row": 307,
        "column": "target",
        "value": "S404",
        "message": "no node with this id",
    },
    {
        "file": "edges.csv",
        "row": 304,
        "column": "target",
        "message": "supplies edges form a cycle: S2 -> S3 -> S2",
    },
]


def test_csv_problems_are_listed_in_file_order_with_row_and_column(world: World) -> None:
    nodes = "\n".join(
        [
            "id,kind,name,country,tier,role",
            "CO,company,Co,GB,,",
            *(f"S{i},supplier,Supplier {i},TH,1," for i in range(1, 300)),
            "S7,supplier,Again,TH,1,",
            "R1,recruiter,Agency,Narnia,,sub_agent",
            "R2,recruiter,Agency 2,MM,,",
            "R3,recruiter,Agency 3,MM,2,origin_agency",
        ]
    )
    edges = "\n".join(
        [
            "source,target,kind",
            *(f"S{i},CO,supplies" for i in range(1, 300)),
            "R1,S1,recruits_for",  # R1's row is unusable: not reported again here
            "S5,S6,recruits_for",
            "S1,CO,supplies",
            "S2,S3,supplies",
            "S3,S2,supplies",
            "S4,S4,supplies",
            "S8,S404,supplies",
        ]
    )
    network = create_network(world.analyst_a)
    response = _upload(world, network, nodes, edges)
    assert response.status_code == 422
    assert response.json()["errors"] == EXPECTED_PROBLEMS
    assert world.analyst_a.get(f"/api/v1/networks/{network['id']}/nodes").json()["total"] == 0


def _network(session: Session) -> Any:
    organisation = Organisation(name="Buyer")
    session.add(organisation)
    session.flush()
    return networks.create_network(
        session,
        scope=Scope.everything(),
        own_organisation_id=organisation.id or 0,
        data=NetworkCreate(name="N"),
    )


def _raw(nodes: str, edges: str = "source,target,kind\n") -> formats.RawNetwork:
    files = {"nodes": ("nodes.csv", nodes.encode()), "edges": ("edges.csv", edges.encode())}
    return formats.read_upload(files, Problems())


NODES = (
    "id,kind,name,country,role,monthly_wage,wage_currency,city\n"
    "CO,company,Co,GB,,2500.5,gbp,London\n"
    "DA,recruiter,Agency,TH,destination agency,,,\n"
)


def test_rows_written_through_the_driver_read_back_as_the_orm_wrote_them(
    session: Session,
) -> None:
    network = _network(session)
    networks.import_network(
        session,
        network=network,
        raw=_raw(NODES, "source,target,kind,share\nDA,CO,recruits_for,40%\n"),
    )
    session.commit()
    company = session.exec(
        select(Node).where(Node.network_id == network.id, Node.external_id == "CO")
    ).one()
    assert company.kind == "company" and company.attributes == {"city": "London"}
    assert (company.monthly_wage, company.wage_currency) == (2500.5, "GBP")
    assert company.created_at.utcoffset() is not None  # stored naive UTC, read back aware
    state = networks.load_state(session, network.id or 0)
    [edge] = state.edge_records()
    assert (edge.source, edge.target, edge.kind, edge.share) == ("DA", "CO", "recruits_for", 0.4)
    assert state.node_record("DA").role == "destination_agency"


def test_the_collector_and_the_sqlite_cache_are_as_they_were_after_an_import(
    session: Session,
) -> None:
    network = _network(session)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
    networks.import_network(session, network=network, raw=_raw(NODES))
    with pytest.raises(InvalidInput, match="refused"):
        networks.import_network(
            session, network=network, raw=_raw("id,kind,name,country\nX,x,X,X\n")
        )
    assert gc.isenabled()
    if sqlite:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == cache


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(engine: Engine) -> None:
    """COPY on PostgreSQL and executemany on SQLite fail with SQLAlchemy's own exceptions, as
    the ORM's inserts did, and leave the transaction to be rolled back whole."""
    with Session(engine) as session:
        network = _network(session)
        networks.import_network(session, network=network, raw=_raw(NODES))
        connection = session.connection()
        again = dict.fromkeys(networks._NODE_INSERT)  # the company's id a second time
        stamp = "2026-01-01 00:00:00"
        again.update(network_id=network.id, external_id="CO", kind="company", name="Again")
        again.update(country="GB", attributes="{}", created_at=stamp, updated_at=stamp)
        row = tuple(again.values())
        with pytest.raises(exc.IntegrityError):
            table = Node.__table__  # type: ignore[attr-defined]
            networks._insert_rows(connection, table, networks._NODE_INSERT, [row])
        session.rollback()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM node")).scalar() == 0
