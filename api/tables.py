"""Import every table module so that ``SQLModel.metadata`` knows the whole schema.

Alembic and the tests compare the database against this metadata; a table module missing here
would silently drop out of migrations.
"""

from sqlmodel import SQLModel

from api.accounts import models as accounts_models
from audit import models as audit_models
from questionnaires import models as questionnaire_models
from supplychain import models as supplychain_models

TABLE_MODULES = (accounts_models, supplychain_models, questionnaire_models, audit_models)

metadata = SQLModel.metadata
