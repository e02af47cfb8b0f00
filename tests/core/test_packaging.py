"""An installed wheel must carry every package: the package list in pyproject.toml is explicit."""

import tomllib

from helpers.paths import REPO

ROOT = REPO


def test_every_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "moderator").rglob("__init__.py")}
    assert found - listed == set()
    assert "moderator.assets" in listed and (ROOT / "assets" / "default-schema.toml").is_file()


def test_the_alembic_revisions_ship_as_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "versions/*.py" in data["moderator.core.store.migrations"]
    assert list((ROOT / "moderator" / "core" / "store" / "migrations" / "versions").glob("0001_*.py"))
