"""Stored files (evidence, proofs, import uploads, report files) that every replica can read."""
