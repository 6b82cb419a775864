"""Tests with several server processes sharing PostgreSQL and Redis (``two_servers`` is in
tests/conftest.py, so that the browser test in tests/e2e shares the same two servers)."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
