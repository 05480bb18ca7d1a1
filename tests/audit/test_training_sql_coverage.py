"""Coverage counted and paged by the database agrees with the pure rule
(``audit.training.coverage``): the same shares, the same per-node statuses, the same boundary
day, and no node loaded as a whole row, however large the network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session

from audit.training import service
from audit.training.coverage import Coverage, NodeFacts, coverage, current_since, expires_on
from audit.training.models import Training
from core.organisations.models import Organisation
from supplychain.models import Network, Node, NodeKind

TODAY = date(2026, 11, 25)
BY_ID = service.CoverageOrder.by_id
NEEDS = service.CoverageOrder.needs_first


def make_network(session: Session, name: str = "N") -> Network:
    organisation = Organisation(name=f"Org {name}")
    session.add(organisation)
    session.flush()
    network = Network(organisation_id=organisation.id or 0, name=name)
    session.add(network)
    session.flush()
    return network


def add_node(
    session: Session, network: Network, key: str, kind: str, migrants: int | None = None
) -> int:
    node = Node(
        network_id=network.id or 0,
        external_id=key,
        kind=NodeKind(kind),
        name=key,
        country="TH",
        migrant_workers=migrants,
    )
    session.add(node)
    session.flush()
    return node.id or 0


def train(session: Session, network: Network, node_id: int, on: date) -> None:
    session.add(
        Training(
            network_id=network.id or 0,
            node_id=node_id,
            delivered_on=on,
            provider="IOM CREST",
            topics=["employer-pays"],
            participants=3,
        )
    )
    session.flush()


@pytest.fixture
def node_loads(session: Session) -> Iterator[list[object]]:
    """Every Node instance the session materialises while the test runs."""
    loaded: list[object] = []

    def seen(_session: object, instance: object) -> None:
        if isinstance(instance, Node):
            loaded.append(instance)

    event.listen(session, "loaded_as_persistent", seen)
    yield loaded
    event.remove(session, "loaded_as_persistent", seen)


def pure(session: Session, network: Network, today: date, validity: int) -> Coverage:
    """The pure function on the same network: its facts read plainly, as the CLI does."""
    result, _labels = service.network_coverage(
        session, network=network, today=today, validity_months=validity
    )
    return result


def test_sql_figures_and_statuses_agree_with_the_pure_function(session: Session) -> None:
    network = make_network(session)
    other = make_network(session, "Other")  # its trainings and nodes must not count
    ids = {
        "CO": add_node(session, network, "CO", "company"),
        "S1": add_node(session, network, "S1", "supplier", 60),
        "S2": add_node(session, network, "S2", "supplier", 30),
        "S3": add_node(session, network, "S3", "supplier", 0),
        "S4": add_node(session, network, "S4", "supplier", None),
        "S5": add_node(session, network, "S5", "supplier", 12),
        "R1": add_node(session, network, "R1", "recruiter"),
        "R2": add_node(session, network, "R2", "recruiter"),
        "WG": add_node(session, network, "WG", "worker_group"),
    }
    foreign = add_node(session, other, "S1", "supplier", 60)
    train(session, network, ids["S1"], date(2026, 1, 25))  # 10 months ago: current
    train(session, network, ids["S2"], date(2024, 5, 25))  # 30 months ago: expired
    train(session, network, ids["S2"], date(2023, 1, 2))  # older: the latest counts
    train(session, network, ids["R1"], date(2025, 6, 1))
    train(session, network, ids["S3"], date(2026, 2, 1))  # not required, current
    train(session, network, ids["S5"], TODAY + timedelta(days=3))  # after today: not yet
    train(session, other, foreign, date(2026, 1, 25))

    for validity in (24, 12, 36):
        expected = pure(session, network, TODAY, validity)
        summary = service.coverage_summary(
            session, network=network, today=TODAY, validity_months=validity
        )
        assert summary.suppliers_with_migrants == expected.suppliers_with_migrants
        assert summary.recruiters == expected.recruiters
        required = [n for n in expected.nodes if n.required]
        assert summary.total == len(expected.nodes)
        assert summary.required == len(required)
        assert summary.current == sum(n.current for n in required)
        assert summary.gaps == len(expected.gaps())
        assert summary.never == sum(1 for n in expected.gaps() if n.last_trained is None)
        lines = service.coverage_page(
            session,
            network=network,
            today=TODAY,
            validity_months=validity,
            order=BY_ID,
            limit=100,
        )
        assert [line.row for line in lines] == expected.nodes
    summary = service.coverage_summary(session, network=network, today=TODAY, validity_months=24)
    assert (summary.suppliers_with_migrants.current, summary.suppliers_with_migrants.total) == (
        1,
        3,
    )
    assert (summary.recruiters.current, summary.recruiters.total) == (1, 2)
    assert (summary.required, summary.expired, summary.never) == (5, 1, 2)


def test_the_sql_boundary_is_the_pure_functions_boundary(session: Session) -> None:
    """Trained on the last day still current, and on the day before it, at a month end where
    the calendar rule clamps (31 March + 11 months = 29 February)."""
    network = make_network(session)
    for today, validity in ((TODAY, 24), (date(2028, 2, 29), 11), (date(2027, 2, 28), 12)):
        since = current_since(today, validity)
        days = {
            "edge": since,
            "before": since - timedelta(days=1),
            "after": since + timedelta(days=1),
            "today": today,
        }
        ids = {key: add_node(session, network, f"{today}-{key}", "supplier", 5) for key in days}
        for key, on in days.items():
            train(session, network, ids[key], on)
        assert expires_on(since, validity) > today >= expires_on(days["before"], validity)
        lines = {
            line.node.id: line.row
            for line in service.coverage_page(
                session,
                network=network,
                today=today,
                validity_months=validity,
                order=BY_ID,
                limit=500,
            )
        }
        expected = coverage(
            [NodeFacts(i, "supplier", 5) for i in ids.values()],
            {ids[k]: on for k, on in days.items()},
            today,
            validity,
        )
        for row in expected.nodes:
            assert lines[row.node_id] == row
        assert [lines[ids[k]].current for k in ("before", "edge", "after", "today")] == [
            False,
            True,
            True,
            True,
        ]
        # The figures count with the same boundary as the rows.
        figures = service.coverage_summary(
            session, network=network, today=today, validity_months=validity
        )
        everyone = service.coverage_page(
            session, network=network, today=today, validity_months=validity, order=BY_ID, limit=500
        )
        assert figures.current == sum(line.row.current for line in everyone)
        assert figures.expired == sum(
            1 for line in everyone if line.row.last_trained and not line.row.current
        )


def test_the_page_order_is_never_trained_then_expired_then_by_name(session: Session) -> None:
    network = make_network(session)
    made = [
        ("zeta", "supplier", 3, None),
        ("Alpha", "supplier", 3, date(2020, 1, 1)),  # expired
        ("beta", "recruiter", None, None),  # never trained
        ("Gamma", "supplier", 0, None),  # not required
        ("delta", "supplier", 8, date(2026, 6, 1)),  # current
        ("Brand", "company", None, None),
    ]
    for name, kind, migrants, trained in made:
        node_id = add_node(session, network, name, kind, migrants)
        if trained:
            train(session, network, node_id, trained)
    lines = service.coverage_page(
        session, network=network, today=TODAY, validity_months=24, order=NEEDS, limit=50
    )
    assert [line.node.name for line in lines] == [
        "beta",
        "zeta",
        "Alpha",
        "Brand",
        "delta",
        "Gamma",
    ]
    second = service.coverage_page(
        session, network=network, today=TODAY, validity_months=24, order=NEEDS, limit=2, offset=2
    )
    assert [line.node.name for line in second] == ["Alpha", "Brand"]
    required = service.coverage_page(
        session,
        network=network,
        today=TODAY,
        validity_months=24,
        order=BY_ID,
        required_only=True,
        limit=50,
    )
    assert [line.node.name for line in required] == ["zeta", "Alpha", "beta", "delta"]


def test_coverage_of_300_suppliers_loads_no_node_row(
    session: Session, node_loads: list[object]
) -> None:
    network = make_network(session)
    for i in range(300):
        node_id = add_node(session, network, f"S{i:03}", "supplier", i % 3)
        if i % 4 == 0:
            train(session, network, node_id, date(2026, 1, 1) if i % 8 else date(2022, 1, 1))
    session.commit()
    session.expunge_all()  # nothing in the identity map: a loaded row would be counted
    summary = service.coverage_summary(session, network=network, today=TODAY, validity_months=24)
    page = service.coverage_page(
        session, network=network, today=TODAY, validity_months=24, order=NEEDS, limit=50
    )
    service.network_coverage(session, network=network, today=TODAY, validity_months=24)
    assert summary.total == 300 and summary.required == 200 and len(page) == 50
    assert node_loads == []
