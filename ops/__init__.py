"""Operator jobs: run by hand or by the API for an operator, never on a case's own path."""
