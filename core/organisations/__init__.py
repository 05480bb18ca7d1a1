"""The tenant: the organisations (companies, programmes) whose data Fairpath keeps apart."""
