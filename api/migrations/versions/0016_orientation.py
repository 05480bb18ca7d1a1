"""orientation sessions of migrant workers, and their evidence files (CREST pillar 2)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orientation_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=2), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("employer_node_id", sa.Integer(), nullable=True),
        sa.Column("recruiter_node_id", sa.Integer(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("deliverer", sa.String(length=20), nullable=False),
        sa.Column("workers_reached", sa.Integer(), nullable=False),
        sa.Column("info_page_shown", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "workers_reached > 0", name=op.f("ck_orientation_session_workers_reached_positive")
        ),
        sa.CheckConstraint(
            "stage IN ('pre_departure', 'post_arrival')",
            name=op.f("ck_orientation_session_stage_known"),
        ),
        sa.CheckConstraint(
            "stage = 'pre_departure' OR employer_node_id IS NOT NULL",
            name=op.f("ck_orientation_session_post_arrival_has_employer"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_orientation_session_created_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["employer_node_id"],
            ["node.id"],
            name=op.f("fk_orientation_session_employer_node_id_node"),
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_orientation_session_network_id_network")
        ),
        sa.ForeignKeyConstraint(
            ["recruiter_node_id"],
            ["node.id"],
            name=op.f("fk_orientation_session_recruiter_node_id_node"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation_session")),
    )
    with op.batch_alter_table("orientation_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_orientation_session_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_orientation_session_employer_node_id"),
            ["employer_node_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_orientation_session_corridor",
            ["network_id", "origin", "destination", "stage"],
            unique=False,
        )
    op.create_table(
        "orientation_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["orientation_session.id"],
            name=op.f("fk_orientation_evidence_session_id_orientation_session"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user.id"], name=op.f("fk_orientation_evidence_uploaded_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation_evidence")),
    )
    with op.batch_alter_table("orientation_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_orientation_evidence_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("orientation_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orientation_evidence_session_id"))
    op.drop_table("orientation_evidence")
    with op.batch_alter_table("orientation_session", schema=None) as batch_op:
        batch_op.drop_index("ix_orientation_session_corridor")
        batch_op.drop_index(batch_op.f("ix_orientation_session_employer_node_id"))
        batch_op.drop_index(batch_op.f("ix_orientation_session_network_id"))
    op.drop_table("orientation_session")
