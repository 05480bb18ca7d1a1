"""an index for counting a network's findings by status and severity

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:30:00

Every findings page counts the network's findings by status and severity; on a 100,000-node
network (137,787 findings) the grouping scanned the table: 0.15 s, and 0.016 s with this index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_finding_network_status_severity", "finding", ["network_id", "status", "severity"]
    )


def downgrade() -> None:
    op.drop_index("ix_finding_network_status_severity", table_name="finding")
