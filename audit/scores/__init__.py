"""The database side of scoring: inputs loaded once per network state, the cached result, the
organisation's scoring settings and country ratings, and scores as API bodies."""
