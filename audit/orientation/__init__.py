"""CREST pillar 2: pre-departure and post-arrival orientation of migrant workers."""
