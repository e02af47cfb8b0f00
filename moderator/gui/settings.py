"""Per-user preferences, the only place that touches QSettings. Keys are grouped and read with a type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from moderator.core.store.engine import without_password

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


def _settings() -> QSettings:
    return QSettings("Moderator", "Moderator")


def key_overrides() -> dict[str, list[str]]:
    """Action id → the user's keys, for actions whose keys the user changed."""
    s = _settings()
    s.beginGroup("keys")
    try:
        return {action_id: [k for k in str(s.value(action_id, "", str)).split("\n") if k] for action_id in s.childKeys()}
    finally:
        s.endGroup()


def set_key_overrides(overrides: dict[str, list[str]]) -> None:
    s = _settings()
    s.remove("keys")
    s.beginGroup("keys")
    for action_id, keys in overrides.items():
        s.setValue(action_id, "\n".join(keys))
    s.endGroup()
    s.sync()


def font_size(default: float) -> float:
    return float(_settings().value("view/font_size", default, float))


def set_font_size(points: float) -> None:
    _settings().setValue("view/font_size", points)


def queue_filter(default: str) -> str:
    return str(_settings().value("queue/filter", default, str))


def set_queue_filter(name: str) -> None:
    _settings().setValue("queue/filter", name)


def backup_interval_minutes(default: int = 10) -> int:
    """Minutes between rolling backups of a SQLite project; 0 turns them off."""
    return max(0, int(_settings().value("backup/interval_minutes", default, int)))


def set_backup_interval_minutes(minutes: int) -> None:
    _settings().setValue("backup/interval_minutes", max(0, int(minutes)))


def window_geometry() -> QByteArray | None:
    value = _settings().value("window/geometry", None)
    return value if isinstance(value, QByteArray) else None


def set_window_geometry(geometry: QByteArray) -> None:
    _settings().setValue("window/geometry", geometry)


# Recent projects: SQLAlchemy URLs, most recent first. A server's password is never written to disk.
RECENT_MAX = 8


def recent_projects() -> list[str]:
    return [url for url in str(_settings().value("projects/recent", "", str)).split("\n") if url][:RECENT_MAX]


def add_recent_project(url: str | URL) -> None:
    entry = without_password(url)
    _set_recent([entry, *(u for u in recent_projects() if u != entry)])


def remove_recent_project(url: str | URL) -> None:
    entry = without_password(url)
    _set_recent([u for u in recent_projects() if u != entry])


def clear_recent_projects() -> None:
    _set_recent([])


def _set_recent(urls: list[str]) -> None:
    # One string, lines apart (as the keys above): QSettings hands a one-item list back as a bare string.
    _settings().setValue("projects/recent", "\n".join(urls[:RECENT_MAX]))


def theme() -> str:
    """The user's theme, one of gui.theme.THEMES (system, light, dark)."""
    return str(_settings().value("view/theme", "system", str))


def set_theme(name: str) -> None:
    _settings().setValue("view/theme", name)
