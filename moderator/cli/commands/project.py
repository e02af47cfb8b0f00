"""`moderator project`: show or change the team settings (overlap, lease, ordering) and the wellbeing ones."""

from __future__ import annotations

from moderator.cli.common import open_db, require_lead


def _wellbeing_changes(args) -> dict:
    switches = {
        name: None if getattr(args, name) is None else getattr(args, name) == "on" for name in ("blur", "greyscale", "breaks")
    }
    numbers = {"break_minutes": args.break_minutes, "break_severe": args.break_severe,
               "break_length_minutes": args.break_length, "daily_cap": args.daily_cap}  # fmt: skip
    return switches | numbers


def run(args) -> int:
    from moderator.core.assist.scores import configure_hint
    from moderator.core.labelling.claims import configure
    from moderator.core.store.settings import check_wellbeing_changes
    from moderator.core.wellbeing.session import configure as configure_wellbeing

    engine = open_db(args)
    changes = _wellbeing_changes(args)
    if any(v is not None for v in (args.overlap, args.lease_minutes, args.ordering, args.hint, *changes.values())):
        require_lead(args, engine, "change the project's settings")
    check_wellbeing_changes(changes)  # a refused value, of either kind, changes nothing at all
    settings = configure(engine, args.overlap, args.lease_minutes, args.ordering)
    w = configure_wellbeing(engine, **changes)
    hint = configure_hint(engine, args.hint)
    print(
        f"overlap k = {settings.overlap}, lease = {settings.lease_minutes} min, ordering = {settings.ordering}, model hint = {hint}"
    )
    breaks = f"after {w.break_minutes} min or {w.break_severe} severe, {w.break_length_minutes} min long" if w.breaks else "off"
    cap = w.daily_cap or "none"
    print(
        f"blur = {'on' if w.blur else 'off'}, greyscale = {'on' if w.greyscale else 'off'}, breaks = {breaks}, daily cap = {cap}"
    )
    return 0
