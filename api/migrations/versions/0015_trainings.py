"""trainings delivered to the staff of nodes, and their evidence files (CREST pillar 1)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("audience_roles", sa.JSON(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("participants > 0", name=op.f("ck_training_participants_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_training_created_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_training_network_id_network")
        ),
        sa.ForeignKeyConstraint(["node_id"], ["node.id"], name=op.f("fk_training_node_id_node")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training")),
    )
    with op.batch_alter_table("training", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_node_id"), ["node_id"], unique=False)
        batch_op.create_index(
            "ix_training_network_node_date",
            ["network_id", "node_id", "delivered_on"],
            unique=False,
        )
    op.create_table(
        "training_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["training.id"],
            name=op.f("fk_training_evidence_training_id_training"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user.id"], name=op.f("fk_training_evidence_uploaded_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_evidence")),
    )
    with op.batch_alter_table("training_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_evidence_training_id"), ["training_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_evidence_training_id"))
    op.drop_table("training_evidence")
    with op.batch_alter_table("training", schema=None) as batch_op:
        batch_op.drop_index("ix_training_network_node_date")
        batch_op.drop_index(batch_op.f("ix_training_node_id"))
        batch_op.drop_index(batch_op.f("ix_training_network_id"))
    op.drop_table("training")
