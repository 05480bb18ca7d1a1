"""Synthetic networks of realistic shape for the benchmarks (not for tests: sizes are huge).

The shape follows the example networks: one company, tiered suppliers, destination and origin
agencies, sub-agents and informal brokers feeding them, and directly hired worker groups.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

COUNTRIES_ORIGIN = ["MM", "KH", "LA", "NP", "BD", "ID", "VN", "PH"]
COUNTRIES_DEST = ["TH", "MY"]
SECTORS = ["seafood_processing", "fishing", "electronics", "garments", "palm_oil"]


@dataclass
class Synthetic:
    nodes: list[dict[str, object]]
    edges: list[dict[str, object]]

    def csv_pair(self) -> tuple[bytes, bytes]:
        return _csv(self.nodes), _csv(self.edges)


def _csv(rows: list[dict[str, object]]) -> bytes:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def generate(nodes: int = 100_000, edges: int = 150_000, seed: int = 7) -> Synthetic:
    """A network with exactly ``nodes`` nodes and ``edges`` edges."""
    rng = random.Random(seed)
    scale = nodes / 100_000
    counts = {
        "supplier": int(30_000 * scale),
        "destination_agency": int(5_000 * scale),
        "origin_agency": int(15_000 * scale),
        "sub_agent": int(30_000 * scale),
        "informal_broker": int(15_000 * scale),
    }
    counts["worker_group"] = nodes - 1 - sum(counts.values())
    rows: list[dict[str, object]] = [
        {"id": "CO", "kind": "company", "name": "Synthetic Brand", "country": "GB"}
    ]
    ids: dict[str, list[str]] = {}
    suppliers = ids.setdefault("supplier", [])
    for i in range(counts["supplier"]):
        tier = 1 if i < counts["supplier"] * 0.1 else 2 if i < counts["supplier"] * 0.4 else 3
        ident = f"S{i}"
        suppliers.append(ident)
        rows.append(
            {
                "id": ident,
                "kind": "supplier",
                "name": f"Supplier {i}",
                "country": rng.choice(COUNTRIES_DEST),
                "sector": rng.choice(SECTORS),
                "tier": tier,
                "workers": 500,
                "migrant_workers": rng.randint(0, 400),
            }
        )
    for role in ("destination_agency", "origin_agency", "sub_agent", "informal_broker"):
        bucket = ids.setdefault(role, [])
        for i in range(counts[role]):
            ident = f"{role[:2].upper()}{i}"
            bucket.append(ident)
            country = rng.choice(
                COUNTRIES_DEST if role == "destination_agency" else COUNTRIES_ORIGIN
            )
            licensed = role in ("destination_agency", "origin_agency") and rng.random() < 0.9
            rows.append(
                {
                    "id": ident,
                    "kind": "recruiter",
                    "name": f"{role} {i}",
                    "country": country,
                    "role": role,
                    "licence": f"L-{ident}" if licensed else "",
                }
            )
    groups = ids.setdefault("worker_group", [])
    for i in range(counts["worker_group"]):
        ident = f"WG{i}"
        groups.append(ident)
        rows.append(
            {
                "id": ident,
                "kind": "worker_group",
                "name": f"Cohort {i}",
                "country": "TH",
                "origin": rng.choice(COUNTRIES_ORIGIN),
                "destination": "TH",
                "workers": 20,
            }
        )

    edge_rows: list[dict[str, object]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(source: str, target: str, kind: str, **extra: object) -> None:
        key = (source, target, kind)
        if key not in seen:
            seen.add(key)
            edge_rows.append({"source": source, "target": target, "kind": kind, **extra})

    tier_cut1, tier_cut2 = int(len(suppliers) * 0.1), int(len(suppliers) * 0.4)
    for i, ident in enumerate(suppliers):  # supplies: each supplier to a buyer one tier up
        if i < tier_cut1:
            add(ident, "CO", "supplies")
        elif i < tier_cut2:
            add(ident, suppliers[rng.randrange(tier_cut1)], "supplies")
        else:
            add(ident, suppliers[rng.randrange(tier_cut1, tier_cut2)], "supplies")
    for ident in ids["destination_agency"]:
        for _ in range(2):
            add(
                ident,
                rng.choice(suppliers),
                "recruits_for",
                origin=rng.choice(COUNTRIES_ORIGIN),
                destination="TH",
                workers=rng.randint(10, 200),
            )
    for ident in ids["origin_agency"]:
        add(ident, rng.choice(ids["destination_agency"]), "refers_to", workers=rng.randint(10, 100))
    for ident in ids["sub_agent"]:
        add(ident, rng.choice(ids["origin_agency"]), "refers_to", workers=rng.randint(1, 30))
    for ident in ids["informal_broker"]:
        add(ident, rng.choice(ids["sub_agent"]), "refers_to", workers=rng.randint(1, 10))
    for ident in groups:
        add(ident, rng.choice(suppliers), "employed_by")
    while len(edge_rows) < edges:  # cross links that keep every kind acyclic
        choice = rng.random()
        if choice < 0.4:
            i = rng.randrange(tier_cut1, len(suppliers))
            j = rng.randrange(0, tier_cut1 if i < tier_cut2 else tier_cut2)
            add(suppliers[i], suppliers[j], "supplies")
        elif choice < 0.7:
            add(
                rng.choice(ids["sub_agent"]),
                rng.choice(ids["origin_agency"]),
                "refers_to",
                workers=rng.randint(1, 30),
            )
        else:
            add(
                rng.choice(ids["destination_agency"]),
                rng.choice(suppliers),
                "recruits_for",
                origin=rng.choice(COUNTRIES_ORIGIN),
                destination="TH",
                workers=rng.randint(10, 200),
            )
    return Synthetic(nodes=rows, edges=edge_rows[:edges])
