"""Where bundled files live: ``assets/`` at the top of the repository, installed as ``moderator.assets``."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

_CHECKOUT_ASSETS = Path(__file__).resolve().parents[2] / "assets"


def assets_dir() -> Path:
    try:  # an installed wheel carries the assets as a package
        return Path(str(files("moderator.assets")))
    except ModuleNotFoundError:  # a checkout or editable install: the folder beside the package
        return _CHECKOUT_ASSETS


def asset_path(name: str) -> Path:
    path = assets_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"bundled asset missing: {path}")
    return path


def user_config_path() -> Path:
    """The user's own editable files (e.g. lexicon.toml): $MODERATOR_CONFIG_DIR, else the platform's config folder."""
    override = os.environ.get("MODERATOR_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path as platform_config

    return platform_config("moderator", appauthor=False)


def user_data_path() -> Path:
    """The app's own data folder (default database, demo, backups/), from platformdirs."""
    from platformdirs import user_data_path as platform_data

    return platform_data("moderator", appauthor=False, ensure_exists=True)
