"""Fixtures the tests share."""

from pathlib import Path

import pytest

from .helpers import REFERENCE


@pytest.fixture
def reference_dir() -> Path:
    """The bundled NIR reference cases; a missing folder fails the test rather than skipping it."""
    if not REFERENCE.is_dir():
        pytest.fail(f"reference cases not found at {REFERENCE}; the repository is incomplete")
    return REFERENCE
