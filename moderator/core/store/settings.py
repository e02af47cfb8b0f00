"""Project-wide settings stored in the database, shared by everyone who opens it.

The one module that knows the settings: their keys in the ``project_settings`` table (key → JSON value),
their types, defaults and rules. Everything else reads and writes them through the typed functions
below, each taking a Connection (a writer's, inside its transaction, for the ``set_`` ones).

The stored format is fixed: these keys and JSON values are what existing databases hold.

==================  ===================================================  ==========================
key                 value                                                read / written with
==================  ===================================================  ==========================
overlap             int ≥ 1: answers each comment gets (k)               ``claim_settings``,
lease_minutes       int: how long a claimed slot is held                 ``set_claim_settings``
ordering            str, one of ``ORDERINGS``
wellbeing           object: the fields of ``WellbeingConfig``            ``wellbeing_config``,
                                                                         ``set_wellbeing_config``
active_schema_id    int: label_schemas row id of the schema in use       ``active_schema_id``,
                                                                         ``set_active_schema_id``
assist_model        object: the fields of ``AssistModelInfo``            ``assist_model_info``,
                                                                         ``set_assist_model_info``
model_hint          str, one of ``HINT_MODES``                           ``hint_mode``, ``set_hint_mode``
experiment          object: the fields of ``Experiment``, or absent      ``experiment``, ``set_experiment``
==================  ===================================================  ==========================

One value is not a setting but a secret, kept apart in ``project_secrets`` where annotators on a team
server cannot read it: ``author_key_secret`` (hex digits behind pseudonymous author keys,
``author_key_secret``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from moderator.core.store.engine import insert_or_find
from moderator.core.store.tables import ProjectSecret, ProjectSetting

OVERLAP = "overlap"
LEASE_MINUTES = "lease_minutes"
ORDERING = "ordering"
WELLBEING = "wellbeing"
ACTIVE_SCHEMA = "active_schema_id"
ASSIST_MODEL = "assist_model"
AUTHOR_SECRET = "author_key_secret"
HINT = "model_hint"
EXPERIMENT = "experiment"
# Three keys, not one object: the PostgreSQL functions of migration 0008 read gold_every and gold_feedback.
GOLD_EVERY = "gold_every"
GOLD_FEEDBACK = "gold_feedback"
GOLD_THRESHOLD = "gold_threshold"


def _get(conn: Connection, key: str) -> Any:
    """The stored JSON value, or None when the key is not there."""
    return conn.scalar(select(ProjectSetting.value).where(ProjectSetting.key == key))


def _put(conn: Connection, key: str, value: Any) -> None:
    """Store a value, inserting the key on first use (safe when another process inserts it too)."""
    find = select(ProjectSetting.key).where(ProjectSetting.key == key)
    if conn.scalar(find) is None:
        created = insert(ProjectSetting).values(key=key, value=value).returning(ProjectSetting.key)
        insert_or_find(conn, find, created)
        if _get(conn, key) == value:
            return  # ours, not a racing twin's
    conn.execute(update(ProjectSetting).where(ProjectSetting.key == key).values(value=value))


def _whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


# claims: overlap, leases, ordering -----------------------------------------------------------------

# The queue orders a project may choose; labelling.claims implements them (SCORED_ORDERINGS there walk
# the assist model's scores).
ORDERINGS = ("thread", "random", "least", "toxic-first", "uncertain")
MIN_LEASE_MINUTES = 10  # the app renews a lease every 3 minutes


@dataclass(frozen=True)
class ClaimSettings:
    """How work is handed out (see ``labelling.claims``)."""

    overlap: int = 1  # k: distinct annotators' answers each comment gets
    lease_minutes: int = 30  # a claimed slot is held this long unless renewed
    ordering: str = "thread"  # one of ORDERINGS


def claim_settings(conn: Connection) -> ClaimSettings:
    """The project's claim settings; a missing or mistyped value reads as its default."""
    stored = dict(
        conn.execute(
            select(ProjectSetting.key, ProjectSetting.value).where(ProjectSetting.key.in_((OVERLAP, LEASE_MINUTES, ORDERING)))
        ).all()
    )
    default = ClaimSettings()
    overlap, lease, ordering = stored.get(OVERLAP), stored.get(LEASE_MINUTES), stored.get(ORDERING)
    return ClaimSettings(
        overlap=overlap if _whole(overlap, 1) else default.overlap,
        lease_minutes=lease if _whole(lease, 1) else default.lease_minutes,
        ordering=ordering if ordering in ORDERINGS else default.ordering,
    )


def set_claim_settings(
    conn: Connection, overlap: int | None = None, lease_minutes: int | None = None, ordering: str | None = None
) -> ClaimSettings:
    """Change some of them (None leaves one as it is); checks all before writing any. Returns the result."""
    if overlap is not None and not _whole(overlap, 1):
        raise ValueError("overlap must be at least 1")
    if lease_minutes is not None and not _whole(lease_minutes, MIN_LEASE_MINUTES):
        raise ValueError(f"a lease lasts at least {MIN_LEASE_MINUTES} minutes (the app renews it every 3)")
    if ordering is not None and ordering not in ORDERINGS:
        raise ValueError(f"ordering must be one of {', '.join(ORDERINGS)}")
    for key, value in ((OVERLAP, overlap), (LEASE_MINUTES, lease_minutes), (ORDERING, ordering)):
        if value is not None:
            _put(conn, key, value)
    return claim_settings(conn)


# the model's hint ---------------------------------------------------------------------------------

# When an annotator sees the assist model's guess: never, only once they have answered the comment
# themselves (so it cannot anchor their answer), or always. Unset, it shows only after the annotator's
# own answer, and not at all when k > 1: a shared project is where a guess could steer several
# annotators' answers the same way.
HINT_MODES = ("off", "after-answer", "always")


def hint_mode(conn: Connection) -> str:
    stored = _get(conn, HINT)
    if stored in HINT_MODES:
        return stored
    return "off" if claim_settings(conn).overlap > 1 else "after-answer"


def set_hint_mode(conn: Connection, mode: str) -> str:
    if mode not in HINT_MODES:
        raise ValueError(f"the model's hint shows one of {', '.join(HINT_MODES)}")
    _put(conn, HINT, mode)
    return mode


# an experiment on how labels are made -----------------------------------------------------------------

# What a lead may randomise, and over what: per person (each annotator always in one arm) or per comment.
EXPERIMENT_FACTORS = ("hint", "context")
EXPERIMENT_UNITS = ("person", "comment")


@dataclass(frozen=True)
class Experiment:
    factor: str  # "hint": the model's guess shown or not; "context": the article and parent shown or not
    unit: str  # "person" or "comment"
    seed: int


def experiment(conn: Connection) -> Experiment | None:
    stored = _get(conn, EXPERIMENT)
    if not isinstance(stored, dict):
        return None
    try:
        return _checked_experiment(Experiment(**stored))
    except (TypeError, ValueError):
        return None  # a value this version cannot read: no experiment rather than a wrong one


def set_experiment(conn: Connection, value: Experiment | None) -> Experiment | None:
    if value is None:
        conn.execute(delete(ProjectSetting).where(ProjectSetting.key == EXPERIMENT))
    else:
        _put(conn, EXPERIMENT, asdict(_checked_experiment(value)))
    return value


def _checked_experiment(value: Experiment) -> Experiment:
    if value.factor not in EXPERIMENT_FACTORS:
        raise ValueError(f"an experiment varies one of {', '.join(EXPERIMENT_FACTORS)}")
    if value.unit not in EXPERIMENT_UNITS:
        raise ValueError(f"an experiment randomises per {' or per '.join(EXPERIMENT_UNITS)}")
    if not _whole(value.seed, 0):
        raise ValueError("the experiment's seed is a whole number ≥ 0")
    return value


# gold items: how often, feedback, the accuracy below which a reviewer looks ----------------------------


@dataclass(frozen=True)
class GoldSettings:
    """How gold items are handed out (``labelling.gold_handout``) and judged (``gold.accuracy``)."""

    every: int = 0  # about one gold item in this many comments per person; 0: none handed out
    feedback: bool = False  # tell the annotator the reference answer after they answered a gold item
    threshold: float = 0.7  # reviewers see who answers fewer gold items than this share correctly


def gold_settings(conn: Connection) -> GoldSettings:
    stored = dict(
        conn.execute(
            select(ProjectSetting.key, ProjectSetting.value).where(
                ProjectSetting.key.in_((GOLD_EVERY, GOLD_FEEDBACK, GOLD_THRESHOLD))
            )
        ).all()
    )
    default = GoldSettings()
    every, feedback, threshold = stored.get(GOLD_EVERY), stored.get(GOLD_FEEDBACK), stored.get(GOLD_THRESHOLD)
    return GoldSettings(
        every=every if _whole(every, 2) else default.every,
        feedback=feedback if isinstance(feedback, bool) else default.feedback,
        threshold=float(threshold) if _share(threshold) else default.threshold,
    )


def _share(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def check_gold_changes(every: int | None = None, feedback: bool | None = None, threshold: float | None = None) -> None:
    """Refuse a value ``set_gold_settings`` would refuse, before anything is written."""
    if every is not None and not (every == 0 or _whole(every, 2)):
        raise ValueError("gold items come one in N comments, N ≥ 2 (0 hands none out)")
    if feedback is not None and not isinstance(feedback, bool):
        raise ValueError("gold feedback is on or off")
    if threshold is not None and not _share(threshold):
        raise ValueError("the gold accuracy threshold is a share between 0 and 1")


def set_gold_settings(
    conn: Connection, every: int | None = None, feedback: bool | None = None, threshold: float | None = None
) -> GoldSettings:
    """Change some of them (None leaves one as it is); checks all before writing any."""
    check_gold_changes(every, feedback, threshold)
    for key, value in ((GOLD_EVERY, every), (GOLD_FEEDBACK, feedback), (GOLD_THRESHOLD, threshold)):
        if value is not None:
            _put(conn, key, value)
    return gold_settings(conn)


# wellbeing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WellbeingConfig:
    """The project's wellbeing options (see ``wellbeing.session``); stored as one JSON object."""

    blur: bool = True  # blur likely severe comments until revealed
    greyscale: bool = False  # no colour highlights, a desaturated window
    breaks: bool = True  # suggest a break after break_minutes or break_severe severe items
    break_minutes: int = 45
    break_severe: int = 25
    break_length_minutes: int = 5
    daily_cap: int = 150  # severe items a day before the stop screen; 0 = no cap
    checkins: bool = False  # ask "how are you? 1-5" at the start, after each break and at the end

    @classmethod
    def from_dict(cls, raw: Any) -> WellbeingConfig:
        """Stored options over the defaults; unknown or mistyped values are ignored, not fatal."""
        config = cls()
        if isinstance(raw, dict):
            config = replace(config, **{name: value for name, value in raw.items() if _valid_wellbeing(name, value)})
        return config


_WELLBEING_MINIMUM = {"break_minutes": 1, "break_severe": 1, "break_length_minutes": 1, "daily_cap": 0}
_WELLBEING_SWITCHES = ("blur", "greyscale", "breaks", "checkins")


def _valid_wellbeing(name: str, value: Any) -> bool:
    if name in _WELLBEING_SWITCHES:
        return isinstance(value, bool)
    return name in _WELLBEING_MINIMUM and _whole(value, _WELLBEING_MINIMUM[name])


def check_wellbeing_changes(changes: dict[str, Any]) -> None:
    """Raise ValueError for an unknown option or a refused value (None, meaning unchanged, is fine)."""
    for name, value in changes.items():
        if name not in _WELLBEING_SWITCHES and name not in _WELLBEING_MINIMUM:
            raise ValueError(f"unknown wellbeing option {name!r}")
        if value is not None and not _valid_wellbeing(name, value):
            if name in _WELLBEING_SWITCHES:
                raise ValueError(f"{name} is on or off")
            raise ValueError(f"{name} must be a whole number of at least {_WELLBEING_MINIMUM[name]}")


def wellbeing_config(conn: Connection) -> WellbeingConfig:
    return WellbeingConfig.from_dict(_get(conn, WELLBEING))


def set_wellbeing_config(conn: Connection, **changes: Any) -> WellbeingConfig:
    """Change some options (None leaves one as it is); checks all before writing. Returns the result."""
    check_wellbeing_changes(changes)
    config = replace(wellbeing_config(conn), **{k: v for k, v in changes.items() if v is not None})
    _put(conn, WELLBEING, asdict(config))
    return config


# label schema -------------------------------------------------------------------------------------


def active_schema_id(conn: Connection) -> int | None:
    """The label_schemas row of the project's schema, or None before one is activated."""
    value = _get(conn, ACTIVE_SCHEMA)
    return value if _whole(value, 0) else None


def set_active_schema_id(conn: Connection, schema_id: int) -> None:
    _put(conn, ACTIVE_SCHEMA, int(schema_id))


# assist model -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssistModelInfo:
    """Facts of the newest assist model (see ``assist.scores.retrain``); stored as one JSON object."""

    version: int = 0
    mark: int | None = None  # the newest annotation id when it was trained (``activity_mark``)
    labels_trained_on: int = 0
    comments: int = 0
    positives: int = 0  # comments whose majority answer is positive
    trained_at: str | None = None  # ISO 8601, UTC
    scored: int = 0  # comments scored by the pass
    scored_through: int = -1  # the last comment id scored when a pass stopped early; -1: reached the end

    @classmethod
    def from_dict(cls, raw: Any) -> AssistModelInfo | None:
        """The stored facts over the defaults (unknown or mistyped ones ignored); None for no model."""
        if not isinstance(raw, dict):
            return None
        kinds = {f.name: (str if f.name == "trained_at" else int) for f in fields(cls)}
        known = {
            name: value for name, value in raw.items()
            if name in kinds and isinstance(value, kinds[name]) and not isinstance(value, bool)
        }  # fmt: skip
        return cls(**known)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def assist_model_info(conn: Connection) -> AssistModelInfo | None:
    """The newest model's facts, or None while no model was trained."""
    return AssistModelInfo.from_dict(_get(conn, ASSIST_MODEL))


def set_assist_model_info(conn: Connection, info: AssistModelInfo) -> None:
    _put(conn, ASSIST_MODEL, info.as_dict())


# pseudonymous author keys ---------------------------------------------------------------------------


def author_key_secret(conn: Connection) -> str:
    """The per-project secret behind pseudonymous author keys; made on first use, never replaced."""
    find = select(ProjectSecret.value).where(ProjectSecret.key == AUTHOR_SECRET)
    made = insert(ProjectSecret).values(key=AUTHOR_SECRET, value=secrets.token_hex(32)).returning(ProjectSecret.value)
    return insert_or_find(conn, find, made)


def author_key(secret: str, author: str | None) -> str | None:
    """A stable pseudonym for an author name: a keyed hash, so names cannot be guessed back."""
    if not author:
        return None
    return hmac.new(secret.encode(), author.strip().casefold().encode(), hashlib.sha256).hexdigest()[:16]
