"""Helpers shared by the tests (tests/ is on sys.path, see pyproject.toml)."""
