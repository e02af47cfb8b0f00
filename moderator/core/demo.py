"""The bundled demo thread, loaded into its own database for a first look at the app."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from moderator.core.paths import asset_path

DEMO_THREAD = "demo-thread.txt"


def demo_database_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("moderator", appauthor=False, ensure_exists=True) / "demo.sqlite"


def load_demo(engine: Engine) -> None:
    """Import the demo thread once; later calls find it already imported and add nothing."""
    from moderator.core.importing.writer import import_paths

    import_paths(engine, [asset_path(DEMO_THREAD)], "paste")
