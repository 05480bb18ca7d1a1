"""HTTP endpoints for reference data and an organisation's scoring adjustments."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, status

from api.deps import PrincipalDep, SessionDep, WriterDep
from api.errors import AUTH_RESPONSES, INVALID, NOT_FOUND
from audit.scores import settings as settings_service
from audit.scores.schemas import (
    CountryOverrideWrite,
    CountryRead,
    DatasetRead,
    DatasetsRead,
    ProfileRead,
    ProfileWeights,
)
from audit.scores.service import organisation_profile, organisation_reference
from scoring.datasets import datasets
from scoring.profile import ADJUSTABLE, PROFILE_VERSION

router = APIRouter(tags=["reference data"], responses=AUTH_RESPONSES)


@router.get("/reference/datasets", response_model=DatasetsRead, operation_id="reference-datasets")
def list_datasets(session: SessionDep, principal: PrincipalDep) -> DatasetsRead:
    """The reference data sets behind every inherent-risk score: their editions, coverage,
    source quality and known gaps, with your organisation's own overrides."""
    reference, _key = organisation_reference(session, principal.user.organisation_id)
    return DatasetsRead(
        datasets=[DatasetRead(**asdict(d)) for d in datasets(reference)],
        overrides=list(reference.overrides),
    )


@router.get(
    "/reference/countries", response_model=list[CountryRead], operation_id="reference-countries"
)
def list_countries(session: SessionDep, principal: PrincipalDep) -> list[CountryRead]:
    """Country figures used for scoring your networks: shipped (with source and year) or your
    organisation's own overrides (`origin: organisation`)."""
    reference, _key = organisation_reference(session, principal.user.organisation_id)
    return settings_service.country_rows(reference)


@router.put(
    "/reference/countries/{country}",
    response_model=CountryRead,
    operation_id="reference-countries-override",
    responses={**INVALID, **NOT_FOUND},
)
def override_country(
    country: str, data: CountryOverrideWrite, session: SessionDep, principal: WriterDep
) -> CountryRead:
    """Use your own rating of a country in every score of your organisation; reports say so."""
    iso2 = settings_service.country_code(country)
    settings_service.set_country_override(
        session,
        organisation_id=principal.user.organisation_id,
        iso2=iso2,
        data=data,
        user_id=principal.user.id,
    )
    reference, _key = organisation_reference(session, principal.user.organisation_id)
    return next(r for r in settings_service.country_rows(reference) if r.iso2 == iso2)


@router.delete(
    "/reference/countries/{country}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="reference-countries-reset",
    responses=NOT_FOUND,
)
def reset_country(country: str, session: SessionDep, principal: WriterDep) -> None:
    """Go back to the shipped figures for this country."""
    settings_service.delete_country_override(
        session,
        organisation_id=principal.user.organisation_id,
        iso2=settings_service.country_code(country),
    )


def _profile(session: SessionDep, organisation_id: int) -> ProfileRead:
    return ProfileRead(
        version=PROFILE_VERSION,
        weights=settings_service.weights(session, organisation_id),
        bounds={name: list(bounds) for name, bounds in ADJUSTABLE.items()},
        profile=organisation_profile(session, organisation_id).summary(),
    )


@router.get("/scoring/profile", response_model=ProfileRead, operation_id="scoring-profile")
def get_profile(session: SessionDep, principal: PrincipalDep) -> ProfileRead:
    """The scoring profile your networks are scored with, your adjustments and their bounds."""
    return _profile(session, principal.user.organisation_id)


@router.put(
    "/scoring/profile",
    response_model=ProfileRead,
    operation_id="scoring-profile-adjust",
    responses=INVALID,
)
def adjust_profile(data: ProfileWeights, session: SessionDep, principal: WriterDep) -> ProfileRead:
    """Replace your organisation's weight adjustments (an empty object restores defaults)."""
    settings_service.set_weights(
        session,
        organisation_id=principal.user.organisation_id,
        new_weights=data.weights,
        user_id=principal.user.id,
    )
    return _profile(session, principal.user.organisation_id)
