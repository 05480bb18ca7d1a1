"""Safe-migration information for workers (CREST pillar 2): what the programme publishes per
recruitment corridor, read-only, from a versioned library file with a source for every fact."""
