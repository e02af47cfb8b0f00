"""`moderator [gui]`: the annotation window (the default command); Qt is imported here only."""

from __future__ import annotations


def run(args) -> int:
    from moderator.core.demo import demo_database_path, load_demo
    from moderator.core.project import Project
    from moderator.core.store.engine import PasswordNeeded, resolve_url

    demo = getattr(args, "demo", False)
    db = args.db
    if demo and db is None:
        db = str(demo_database_path())
    url = resolve_url(db)
    try:
        project = Project.open(url)
    except PasswordNeeded:
        project = None  # a team server: the window asks for the password
    if demo and project is not None:
        load_demo(project.engine)
    from moderator.gui.app import run as run_window

    return run_window(project, db_url=url, annotator=args.annotator, screenshot=getattr(args, "screenshot", None))
