import os
from pathlib import Path

import pytest


@pytest.fixture
def shared_data() -> Path:
    """The shared test data next to the repository (../shared/data); skipped when absent, except in CI."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not path.is_dir():
        reason = f"shared test data not found at {path} (see ../shared/data/README.md)"
        if os.environ.get("MODERATOR_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path
