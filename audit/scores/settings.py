"""An organisation's own country ratings and scoring weights."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from audit.scores.models import CountryOverride, ScoringSettings
from audit.scores.schemas import CountryOverrideWrite, CountryRead
from core.clock import utcnow
from core.errors import InvalidInput, NotFound
from scoring.profile import adjustment_problems
from scoring.reference import ReferenceData
from supplychain.countries import resolve_country


def country_code(text: str) -> str:
    code = resolve_country(text)
    if code is None:
        raise NotFound(f"{text!r} is not a country Fairpath knows (use ISO 3166-1 alpha-2)")
    return code


def country_rows(reference: ReferenceData) -> list[CountryRead]:
    return [
        CountryRead(
            iso2=c.iso2,
            name=c.name,
            tip_tier=c.tip_tier,
            tip_year=c.tip_year,
            tip_source=c.tip_source,
            gsi_prevalence=c.gsi_prevalence,
            gsi_vulnerability=c.gsi_vulnerability,
            gsi_year=c.gsi_year,
            gsi_source=c.gsi_source,
            origin=c.origin,  # type: ignore[arg-type]
        )
        for c in sorted(reference.countries.values(), key=lambda c: c.iso2)
    ]


def set_country_override(
    session: Session,
    *,
    organisation_id: int,
    iso2: str,
    data: CountryOverrideWrite,
    user_id: int | None,
) -> CountryOverride:
    values = data.model_dump(exclude={"source"}, exclude_none=True)
    if not values:
        raise InvalidInput(
            "Give at least one figure to override",
            errors=[{"field": "tip_tier", "message": "or gsi_prevalence / gsi_vulnerability"}],
        )
    row = session.exec(
        select(CountryOverride).where(
            CountryOverride.organisation_id == organisation_id, CountryOverride.iso2 == iso2
        )
    ).first() or CountryOverride(organisation_id=organisation_id, iso2=iso2, values={}, source="")
    row.values = values
    row.source = data.source
    row.updated_by = user_id
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def delete_country_override(session: Session, *, organisation_id: int, iso2: str) -> None:
    row = session.exec(
        select(CountryOverride).where(
            CountryOverride.organisation_id == organisation_id, CountryOverride.iso2 == iso2
        )
    ).first()
    if row is None:
        raise NotFound(f"Your organisation has no override for {iso2}")
    session.delete(row)
    session.flush()


def overrides(session: Session, organisation_id: int) -> Sequence[CountryOverride]:
    return session.exec(
        select(CountryOverride).where(CountryOverride.organisation_id == organisation_id)
    ).all()


def weights(session: Session, organisation_id: int) -> dict[str, float]:
    row = session.exec(
        select(ScoringSettings).where(ScoringSettings.organisation_id == organisation_id)
    ).first()
    return dict(row.weights) if row else {}


def set_weights(
    session: Session, *, organisation_id: int, new_weights: dict[str, float], user_id: int | None
) -> dict[str, float]:
    problems = adjustment_problems(new_weights)
    if problems:
        raise InvalidInput("Some weights cannot be set", errors=problems)
    row = session.exec(
        select(ScoringSettings).where(ScoringSettings.organisation_id == organisation_id)
    ).first() or ScoringSettings(organisation_id=organisation_id, weights={})
    row.weights = dict(new_weights)
    row.updated_by = user_id
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row.weights
