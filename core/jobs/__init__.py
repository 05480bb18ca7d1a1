"""Long work (imports, reports, exports) run by a worker, with its state kept in the database."""
