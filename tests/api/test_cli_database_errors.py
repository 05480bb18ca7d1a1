"""A database or a path the CLI cannot use is one line naming the problem and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from api.cli import main as cli
from tests.conftest import TEST_DATABASE_URL
from tests.processes import free_port

SUPPORTED = "use sqlite:///path/to/fairpath.db or postgresql://user:password@host:5432/database"


def _fails(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli(arguments) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://user@host/db", f"fairpath: unsupported database 'mysql'; {SUPPORTED}"),
        ("not a url", f"fairpath: the database URL 'not a url' is not a URL; {SUPPORTED}"),
        (
            "sqlite:////no/such/folder/fairpath.db",
            "fairpath: the folder /no/such/folder for the SQLite database does not exist; "
            "create it",
        ),
    ],
)
def test_a_url_that_cannot_work_is_refused_before_connecting(
    url: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _fails(["networks", "list", "--database-url", url], capsys) == expected


def test_nothing_listening_says_where_it_looked(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    url = f"postgresql+psycopg://fairpath:secret@127.0.0.1:{port}/fairpath"
    line = _fails(["db", "status", "--database-url", url], capsys)
    assert line.startswith(
        f"fairpath: cannot use the database 'postgresql+psycopg://fairpath:***@127.0.0.1:{port}"
        "/fairpath': "
    )
    assert line.endswith(f"; is PostgreSQL running and listening at 127.0.0.1:{port}?")
    assert "secret" not in line


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs the test PostgreSQL")
def test_a_missing_postgres_database_says_to_create_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = make_url(TEST_DATABASE_URL).set(database="fp_no_such_database")
    line = _fails(["networks", "list", "--database-url", url.render_as_string(False)], capsys)
    assert 'database "fp_no_such_database" does not exist' in line
    assert line.endswith(f"; create it (createdb -h {url.host} fp_no_such_database)")


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs the test PostgreSQL")
def test_the_postgres_scheme_hosting_platforms_hand_out_works_on_the_command_line(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL URL is needed")
    plain = "postgres://" + database_url.split("://", 1)[1]
    assert cli(["networks", "list", "--database-url", plain]) == 0
    assert capsys.readouterr().out.startswith("  id  version  name")


def test_an_output_file_in_a_missing_folder_is_one_line(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "network.json"
    db = ["--database-url", database_url]
    assert cli(["networks", "create", "--name", "N", "--organisation", "O", *db]) == 0
    capsys.readouterr()
    line = _fails(["export", "--network", "1", "-o", str(target), *db], capsys)
    assert line == (
        f"fairpath: {target}: No such file or directory; create the folder {target.parent} first"
    )
