"""Findings: pure rules that turn scores into findings, and the service that keeps them in step."""
