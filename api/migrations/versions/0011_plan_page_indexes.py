"""indexes for a plan page: actions by deadline, and the plan's metrics

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:40:00

A plan page lists a network's actions by deadline and counts them by severity, owner and
status. Measured on 19,655 actions (10,000 nodes): the page's query 22 ms to 3.4 ms, the
metrics 27 ms to 15 ms; a 100,000-node network has ten times as many actions.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_action_network_due", "remediation_action", ["network_id", "due_date", "id"])
    op.create_index(
        "ix_action_network_metrics",
        "remediation_action",
        ["network_id", "severity", "owner_kind", "status", "due_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_action_network_metrics", table_name="remediation_action")
    op.drop_index("ix_action_network_due", table_name="remediation_action")
