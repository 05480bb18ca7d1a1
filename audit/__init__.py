"""The audit: scores kept for each network, findings, remediation plans and reports."""
