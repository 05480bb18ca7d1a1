"""repayments: the amount an action says is owed to workers, and the payments made against it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:25:52
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("remediation_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owed_amount", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("owed_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("owed_usd", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("owed_workers", sa.Integer(), nullable=True))

    op.create_table(
        "action_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("usd_amount", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("rate_year", sa.Integer(), nullable=True),
        sa.Column("rate_source", sa.String(length=1000), nullable=False),
        sa.Column("usd_basis", sa.String(length=1000), nullable=False),
        sa.Column("proof_evidence_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=2000), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_action_payment_amount_positive")),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["remediation_action.id"],
            name=op.f("fk_action_payment_action_id_remediation_action"),
        ),
        sa.ForeignKeyConstraint(
            ["proof_evidence_id"],
            ["action_evidence.id"],
            name=op.f("fk_action_payment_proof_evidence_id_action_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["user.id"], name=op.f("fk_action_payment_recorded_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"], ["user.id"], name=op.f("fk_action_payment_voided_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_payment")),
    )
    with op.batch_alter_table("action_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_payment_action_id"), ["action_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("action_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_payment_action_id"))

    op.drop_table("action_payment")
    with op.batch_alter_table("remediation_action", schema=None) as batch_op:
        batch_op.drop_column("owed_workers")
        batch_op.drop_column("owed_usd")
        batch_op.drop_column("owed_currency")
        batch_op.drop_column("owed_amount")
