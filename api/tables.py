"""Import every table module so that ``SQLModel.metadata`` knows the whole schema.

Alembic and the tests compare the database against this metadata; a table module missing here
would silently drop out of migrations.
"""

from api.accounts import models as accounts_models
from audit.campaigns import models as campaigns_models
from audit.findings import models as findings_models
from audit.orientation import models as orientation_models
from audit.remediation import models as remediation_models
from audit.scores import models as scores_models
from audit.training import models as training_models
from core.filestore import models as filestore_models
from core.jobs import models as jobs_models
from core.metadata import metadata
from core.organisations import models as organisations_models
from questionnaires import models as questionnaire_models
from supplychain import models as supplychain_models
from supplychain.registry import models as registry_models

TABLE_MODULES = (
    organisations_models,
    accounts_models,
    supplychain_models,
    questionnaire_models,
    scores_models,
    findings_models,
    remediation_models,
    training_models,
    orientation_models,
    filestore_models,
    jobs_models,
    campaigns_models,
    registry_models,
)

__all__ = ["TABLE_MODULES", "metadata"]
