"""Where bundled files live: ``assets/`` at the top of the repository, installed as ``moderator.assets``."""

from __future__ import annotations

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
