"""Files holding workers' data are readable by their owner only, whatever the umask.

Evidence and proofs of remediation are kept in the database (``core.filestore``), so on SQLite
the owner-only database file is what protects them; nothing writes them to the data directory
any more. Files written there before that change are still served from it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.db import make_engine
from api.settings import Settings
from core.filestore.models import StoredFile, StoredFileChunk
from core.storage import legacy_path
from tests.builders import Actor, World
from tests.questionnaires.builders import assign, publish_mini, recruiter_network

PDF = b"%PDF-1.4 passport scan\n%%EOF\n"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_databases_are_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.commit()
        engine.dispose()
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "new.db") == 0o600


def _uploaded(world: World) -> tuple[str, dict]:
    analyst = world.analyst_a
    network_id, ids = recruiter_network(analyst)
    created = assign(analyst, network_id, ids["DA"], questionnaire_id=publish_mini(analyst))
    respondent = Actor(analyst.client, created["invitation"]["token"])
    uploaded = respondent.post(
        "/api/v1/respond/evidence",
        data={"question_id": "D2"},
        files={"file": ("passport.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    url = f"/api/v1/networks/{network_id}/assessments/{created['id']}/evidence"
    return f"{url}/{uploaded.json()['id']}", uploaded.json()


def test_uploads_write_nothing_to_the_data_directory(world: World, settings: Settings) -> None:
    _uploaded(world)
    written = [p for p in settings.data_dir.rglob("*") if "evidence" in p.parts]
    assert written == []


def test_files_stored_on_disk_before_the_database_are_still_served(
    world: World, settings: Settings, engine: Engine
) -> None:
    url, evidence = _uploaded(world)
    # As if uploaded by an earlier version: on this server's disk, not in the database.
    with Session(engine) as session:
        session.execute(delete(StoredFileChunk))
        session.execute(delete(StoredFile))
        session.commit()
    path = legacy_path(settings.data_dir, evidence["sha256"])
    path.parent.mkdir(parents=True)
    path.write_bytes(PDF)

    served = world.analyst_a.get(url)
    assert served.status_code == 200, served.text
    assert served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith('attachment; filename="passport.pdf"')
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "private, no-store"

    path.unlink()
    missing = world.analyst_a.get(url)
    assert missing.status_code == 404
    assert "is missing from storage" in missing.json()["detail"]
