"""node products and HS codes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.add_column(sa.Column("products", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("hs_codes", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_column("hs_codes")
        batch_op.drop_column("products")
