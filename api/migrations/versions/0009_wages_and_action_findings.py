"""monthly wages on nodes; remediation actions addressing several findings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:00:00

Existing actions keep their history: each gets its finding linked and the node of that finding
as its subject. Plans that already hold the same template twice for one node keep both actions;
only new findings are merged from now on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.add_column(sa.Column("monthly_wage", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("wage_currency", sa.String(length=3), nullable=True))
    with op.batch_alter_table("remediation_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("node_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_remediation_action_node_id"), ["node_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_remediation_action_node_id_node"), "node", ["node_id"], ["id"]
        )
    op.create_table(
        "action_finding",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["remediation_action.id"],
            name=op.f("fk_action_finding_action_id_remediation_action"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_action_finding_finding_id_finding")
        ),
        sa.PrimaryKeyConstraint("action_id", "finding_id", name=op.f("pk_action_finding")),
    )
    op.create_index(op.f("ix_action_finding_finding_id"), "action_finding", ["finding_id"])
    op.execute(
        "INSERT INTO action_finding (action_id, finding_id, added_at) "
        "SELECT id, finding_id, created_at FROM remediation_action WHERE finding_id IS NOT NULL"
    )
    op.execute(
        "UPDATE remediation_action SET node_id = (SELECT finding.node_id FROM finding "
        "WHERE finding.id = remediation_action.finding_id) WHERE finding_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_action_finding_finding_id"), table_name="action_finding")
    op.drop_table("action_finding")
    with op.batch_alter_table("remediation_action", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_remediation_action_node_id_node"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_remediation_action_node_id"))
        batch_op.drop_column("node_id")
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_column("wage_currency")
        batch_op.drop_column("monthly_wage")
