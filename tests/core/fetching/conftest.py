"""Fetching tests: every API points at a local server (pytest-httpserver), and waits are recorded, not slept."""

from __future__ import annotations

import pytest

from moderator.core.fetching.settings import FetchSettings


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def settings(httpserver, waits) -> FetchSettings:
    base = httpserver.url_for("").rstrip("/")
    return FetchSettings(
        reddit_base=base,
        hn_api=f"{base}/api/v1",
        connect_timeout=2.0,
        read_timeout=2.0,
        sleep=waits.append,
        trust_env=False,
    )
