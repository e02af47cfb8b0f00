"""Where the tests find the repository, its fixtures and the shared real data."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
FUZZ = TESTS / "fuzz"
SHARED_DATA = REPO.parent / "shared" / "data"
