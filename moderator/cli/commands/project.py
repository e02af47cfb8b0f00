"""`moderator project`: show or change the team settings (overlap, lease, ordering) and the wellbeing ones."""

from __future__ import annotations

from moderator.cli.common import UsageError, open_db, require_lead


def _wellbeing_changes(args) -> dict:
    switches = {
        name: None if getattr(args, name) is None else getattr(args, name) == "on"
        for name in ("blur", "greyscale", "breaks", "checkins")
    }
    numbers = {"break_minutes": args.break_minutes, "break_severe": args.break_severe,
               "break_length_minutes": args.break_length, "daily_cap": args.daily_cap}  # fmt: skip
    return switches | numbers


def run(args) -> int:
    from moderator.core.assist.scores import configure_hint
    from moderator.core.labelling.claims import configure
    from moderator.core.store.settings import check_gold_changes, check_wellbeing_changes
    from moderator.core.wellbeing.session import configure as configure_wellbeing

    engine = open_db(args)
    changes = _wellbeing_changes(args)
    gold_changes = {"every": args.gold_every, "threshold": args.gold_threshold,
                    "feedback": None if args.gold_feedback is None else args.gold_feedback == "on"}  # fmt: skip
    gold_changes = {k: v for k, v in gold_changes.items() if v is not None}
    if any(v is not None for v in (args.overlap, args.lease_minutes, args.ordering, args.hint, args.experiment,
                                   *changes.values(), *gold_changes.values())):  # fmt: skip
        require_lead(args, engine, "change the project's settings")
    check_wellbeing_changes(changes)  # a refused value, of any kind, changes nothing at all
    try:
        check_gold_changes(**gold_changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    settings = configure(engine, args.overlap, args.lease_minutes, args.ordering)
    w = configure_wellbeing(engine, **changes)
    hint = configure_hint(engine, args.hint)
    experiment = _experiment(engine, args)
    gold = _gold(engine, gold_changes)
    print(
        f"overlap k = {settings.overlap}, lease = {settings.lease_minutes} min, ordering = {settings.ordering}, model hint = {hint}"
    )
    breaks = f"after {w.break_minutes} min or {w.break_severe} severe, {w.break_length_minutes} min long" if w.breaks else "off"
    cap = w.daily_cap or "none"
    print(
        f"blur = {'on' if w.blur else 'off'}, greyscale = {'on' if w.greyscale else 'off'}, breaks = {breaks}, daily cap = {cap}, "
        f"check-ins = {'on' if w.checkins else 'off'}"
    )
    every = f"about one in {gold.every}" if gold.every else "none handed out"
    print(f"gold items: {every}, feedback = {'on' if gold.feedback else 'off'}, reviewers see people below {gold.threshold:.0%}")
    if experiment is not None:
        print(f"experiment: {experiment.factor} shown or hidden, randomised per {experiment.unit}, seed {experiment.seed}")
    return 0


def _experiment(engine, args):
    from moderator.cli.common import UsageError
    from moderator.core.project import Project
    from moderator.core.store.settings import Experiment

    project = Project(engine)
    if args.experiment is None:
        return project.experiment()
    if args.experiment == "off":
        return project.experiment(change=True, value=None)
    try:
        return project.experiment(change=True, value=Experiment(args.experiment, args.experiment_unit, args.experiment_seed))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _gold(engine, changes: dict):
    from moderator.core.project import Project

    return Project(engine).gold_settings(**changes)
