"""``fairpath registry list``, ``show``, ``import-licences`` and ``match``.

Each goes through the registry's own service, in one transaction, as the API does: an import is
all or nothing (every problem printed with its row and column, nothing written), and the
networks whose recruiters it checks are marked changed in the same transaction, so their
findings are refreshed after the commit (``api.work.transaction``). The shell is trusted, as
for every CLI command: ``show`` names who made each change, as programme staff see it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlmodel import col, select

from api.accounts.models import User
from api.cli.common import CommandFailed, echo, engine_for, network_or_fail, transaction
from core import changes
from core.numbers import counted
from supplychain.registry import licence_lists
from supplychain.registry import service as registry
from supplychain.registry.models import RecruiterProfile
from supplychain.registry.presenters import change_read

PAGE = 200


def _text(value: Any) -> str:
    """A value of the history (JSON) as one line."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


def _line(p: RecruiterProfile) -> str:
    licence = p.licence_number or "no licence recorded"
    until = f", until {p.licence_valid_until.isoformat()}" if p.licence_valid_until else ""
    return (
        f"  {p.id:>5}  {p.country}  {p.legal_name}  (licence {licence}: "
        f"{p.licence_status.value}{until}; IRIS {p.iris_status.value.replace('_', ' ')})"
    )


def list_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        rows: list[RecruiterProfile] = []
        while True:
            found, total = registry.list_profiles(
                session,
                q=args.q or None,
                country=args.country,
                licence=args.licence or None,
                limit=PAGE,
                offset=len(rows),
            )
            rows.extend(found)
            if not found or len(rows) >= total:
                break
        echo(f"{counted(len(rows), 'registry entry', 'registry entries')}, by name")
        for profile in rows:
            echo(_line(profile))
    return 0


def show_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        profile = registry.get_profile(session, args.entry)
        history = registry.history(session, profile)
        ids = {c.user_id for c in history if c.user_id}
        emails = {
            u.id or 0: u.email
            for u in session.exec(select(User).where(col(User.id).in_(ids))).all()
        }
        p = profile
        echo(f"Registry entry {p.id}: {p.legal_name} ({p.country}), version {p.version}")
        if p.trading_names:
            echo(f"Trading names:  {', '.join(p.trading_names)}")
        if p.address:
            echo(f"Address:        {p.address}")
        valid = " ".join(
            part
            for part in (
                f"from {p.licence_valid_from.isoformat()}" if p.licence_valid_from else "",
                f"until {p.licence_valid_until.isoformat()}" if p.licence_valid_until else "",
            )
            if part
        )
        echo(f"Licence:        {p.licence_number or 'none recorded'}: {p.licence_status.value}")
        echo(f"Authority:      {p.licensing_authority or 'not recorded'}")
        echo(f"Valid:          {valid or 'dates not recorded'}")
        iris = p.iris_status.value.replace("_", " ")
        extra = ", ".join(
            x for x in (p.iris_body, p.iris_date.isoformat() if p.iris_date else "") if x
        )
        echo(f"IRIS:           {iris}{f' ({extra})' if extra else ''}")
        echo(f"Commitments:    {_text(p.commitments)}")
        echo(f"Sanctions:      {_text(p.sanctions)}")
        echo("")
        echo(f"History ({len(history)}, oldest first):")
        for change in history:
            read = change_read(change, emails=emails)
            proposal = f" (proposal {read.proposal_id})" if read.proposal_id else ""
            echo(
                f"  {read.at:%Y-%m-%d %H:%M} {read.action}{proposal} by "
                f"{read.user or 'programme staff'}: {read.reason}"
            )
            for name, pair in read.changes.items():
                before, after = pair
                shown = (
                    _text(after)
                    if read.action == "created"
                    else f"{_text(before)} -> {_text(after)}"
                )
                echo(f"      {name}: {shown}")
    return 0


def _mapping(args: argparse.Namespace) -> dict[str, str] | None:
    if args.mapping is None:
        return None
    path = args.mapping
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CommandFailed(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CommandFailed(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    if not (isinstance(data, dict) and all(isinstance(v, str) for v in data.values())):
        raise CommandFailed(
            f'{path}: the mapping is a JSON object of column names, e.g. {{"licence_number": '
            '"Licence No."}'
        )
    return data


def import_command(args: argparse.Namespace) -> int:
    mapping = _mapping(args)
    data = args.file.read_bytes()
    with transaction(engine_for(args)) as session:
        imported = licence_lists.import_licence_list(
            session,
            authority=args.authority.strip(),
            country=args.country,
            published_on=args.published_on,
            source=args.source.strip(),
            illustrative=args.illustrative,
            filename=args.file.name,
            data=data,
            mapping=mapping,
            user_id=None,
        )
        affected = licence_lists.networks_checked_against(session, imported.country)
        for network_id in affected:
            changes.network_changed(session, network_id)
    sample = " (an illustrative sample, never real)" if imported.illustrative else ""
    echo(
        f"Imported licence list {imported.id}: {imported.authority} ({imported.country}), "
        f"published {imported.published_on.isoformat()}{sample}: "
        f"{counted(imported.entries, 'licence', 'licences')}"
    )
    echo(
        f"Checked against it: {counted(len(affected), 'network', 'networks')} with a "
        f"recruiter licensed in {imported.country}; their findings are refreshed."
    )
    return 0


def match_command(args: argparse.Namespace) -> int:
    with transaction(engine_for(args)) as session:
        network = network_or_fail(session, args.network)
        result = registry.match_network(session, network)
        echo(
            f"Network {network.id} {network.name!r}: "
            f"{counted(result.recruiters, 'recruiter', 'recruiters')}, {result.linked} linked "
            f"({result.newly_linked} newly, by licence), {result.unmatched} not linked, "
            f"{counted(result.suggestions_open, 'name suggestion', 'name suggestions')} open"
        )
        if result.suggestions_open:
            echo(
                f"Accept or reject them on the dashboard (/dashboard/networks/{network.id}/"
                f"registry) or with GET /api/v1/networks/{network.id}/registry/suggestions."
            )
    return 0
