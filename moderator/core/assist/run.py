"""Retrain the assist model in a child process: ``python -m moderator.core.assist.run URL``.

The window's trainer runs it this way rather than on a thread: TF-IDF tokenising is Python code that
would hold the interpreter lock for seconds and make typing stutter, and its memory is returned to
the system when the child ends. The child prints the new model's facts as one JSON line (``null``
when nothing was due). Killing it at any moment is safe: scores are written in short transactions,
and a pass that did not finish is not recorded, so the next start trains again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from moderator.core.store.settings import AssistModelInfo


def retrain_in_child(url: str, stop: threading.Event | None = None, force: bool = False) -> AssistModelInfo | None:
    """Run one retraining pass in a child process; None if nothing was due or ``stop`` was set.

    A team server's password goes to the child in its environment (libpq's PGPASSWORD), never on its
    command line, which every user of the machine can list.
    """
    from sqlalchemy import URL, make_url

    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = parsed.password
        parsed = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    command = [sys.executable, "-m", __name__, parsed.render_as_string(hide_password=False)] + (["--force"] if force else [])
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    while True:
        try:
            out, err = child.communicate(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            if stop is not None and stop.is_set():
                child.kill()
                child.communicate()
                return None
    if child.returncode != 0:
        reason = (err.strip().splitlines() or [f"exit status {child.returncode}"])[-1]
        raise RuntimeError(f"retraining the assist model failed: {reason}")
    return AssistModelInfo.from_dict(json.loads(out.strip().splitlines()[-1]))


def retrain_if_due(engine, stop: threading.Event | None = None) -> AssistModelInfo | None:
    """Check in this process (one count) whether a new model is due; only then start the child."""
    from moderator.core.assist import model as assist
    from moderator.core.assist.scores import activity_mark, model_info

    info = model_info(engine) or AssistModelInfo()
    if not assist.retrain_due(activity_mark(engine), info.mark):
        return None
    return retrain_in_child(engine.url.render_as_string(hide_password=False), stop)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from moderator.core.assist.scores import retrain
    from moderator.core.store.engine import open_database

    engine = open_database(args[0])
    try:
        facts = retrain(engine, force="--force" in args)
    finally:
        engine.dispose()
    print(json.dumps(None if facts is None else facts.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
