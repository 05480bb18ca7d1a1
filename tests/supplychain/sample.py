"""A small hand-built network whose every graph answer is worked out by hand in the tests.

SA (sub-agent, MM, unlicensed) --refers_to 30--> OA (origin agency, MM)
OA --refers_to 80--> DA (destination agency, TH) --recruits_for MM->TH 100--> S1
IB (informal broker, KH, unlicensed) --refers_to KH 20--> DA
DA2 (destination agency, TH) --recruits_for KH->TH 40--> S2
WG (worker group LA->TH, 15) --employed_by--> S2
S3 --supplies--> S2 --supplies--> S1 --supplies--> CO (company)
S4 (not connected)
"""

from tests.builders import edge, node

NODES = [
    node("CO", "company", "Northwind Foods", "GB"),
    node(
        "S1",
        "supplier",
        "Gulf Processing",
        sector="seafood_processing",
        tier=1,
        workers=500,
        migrant_workers=120,
    ),
    node(
        "S2",
        "supplier",
        "Andaman Peeling Shed",
        sector="seafood_processing",
        tier=1,
        workers=100,
        migrant_workers=30,
    ),
    node(
        "S3",
        "supplier",
        "Ranong Vessel Co",
        sector="fishing",
        tier=3,
        workers=80,
        migrant_workers=50,
    ),
    node(
        "S4",
        "supplier",
        "Penang Cold Store",
        "MY",
        sector="logistics",
        workers=60,
        migrant_workers=0,
    ),
    node("DA", "recruiter", "Siam Manpower", role="destination_agency", licence="TH-1001"),
    node("DA2", "recruiter", "Chao Phraya Staffing", role="destination_agency", licence="TH-1002"),
    node("OA", "recruiter", "Yangon Overseas", "MM", role="origin_agency", licence="MM-77"),
    node("SA", "recruiter", "Hpa-An Sub-agent", "MM", role="sub_agent"),
    node("IB", "recruiter", "Poipet Broker", "KH", role="informal_broker"),
    node("WG", "worker_group", "Lao cohort 2025", "LA", origin="LA", destination="TH", workers=15),
]

EDGES = [
    edge("S1", "CO", "supplies"),
    edge("S2", "S1", "supplies"),
    edge("S3", "S2", "supplies"),
    edge("DA", "S1", "recruits_for", origin="MM", destination="TH", workers=100),
    edge("OA", "DA", "refers_to", workers=80),
    edge("SA", "OA", "refers_to", workers=30),
    edge("IB", "DA", "refers_to", origin="KH", workers=20),
    edge("DA2", "S2", "recruits_for", origin="KH", destination="TH", workers=40),
    edge("WG", "S2", "employed_by"),
]
