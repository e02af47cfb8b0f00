"""Peak memory of an import, measured in a child process: ``moderator import`` as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BOUND = 300 * 1024**2  # what any import may peak at
MIB = 1024**2

# The child: ``moderator import ARGS``, then its peak resident set on stderr's last line, with the peak of
# the part process reading half of a big file, if any (``bulk_halves``): the most the import held at once.
# Linux's VmHWM, as ru_maxrss keeps the peak of the process before exec (pytest's, copied by fork).
CHILD = """
import resource, sys
from moderator.cli.main import main

try:
    code = main(sys.argv[1:])
finally:
    scale = 1 if sys.platform == "darwin" else 1024
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    peak += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    print(f"peak {peak}", file=sys.stderr)
sys.exit(code)
"""


def imported(tmp_path: Path, path: Path, *options: str) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr without the peak line, peak resident bytes) of importing ``path``."""
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("MODERATOR_DB", None)
    db = tmp_path / "moderator.sqlite"
    run = subprocess.run(
        [sys.executable, "-c", CHILD, "import", *options, "--db", str(db), str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a safety net on a loaded machine, not a measure
    )
    *rest, last = run.stderr.rstrip("\n").split("\n")
    assert last.startswith("peak "), run.stderr
    return run.returncode, run.stdout, "\n".join(rest), int(last.split()[1])
