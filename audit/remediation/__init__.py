"""Remediation plans: actions from the CREST-style library, their history, proofs and exports."""
