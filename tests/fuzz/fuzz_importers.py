"""Coverage-guided fuzzing of every importer (atheris / libFuzzer).

    python tests/fuzz/fuzz_importers.py -max_total_time=20 -timeout=5 [CORPUS_DIR]

The first byte picks the format (``auto`` or one of ``importers.FORMATS``), the rest is the file. A
finding is any exception other than ImportFailure, an ImportFailure that does not read
``path:line: reason``, or an input that takes longer than ``-timeout`` seconds; libFuzzer then writes
the input to ``crash-*`` / ``timeout-*`` and exits non-zero. ``tests/core/test_importer_fuzz.py``
runs this for a bounded time in CI.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["moderator.core.importing.formats"]):
    import moderator.core.importing.formats as importers
    from moderator.core.importing.formats import (
        csv_table,  # noqa: F401  (instrumented, loaded by the target)
        jsonl,  # noqa: F401
        lewidi,  # noqa: F401
    )

    for _name in importers.FORMATS:
        importers.importer(_name)

from importer_target import ADVERSARIAL, SEEDS, extension, formats, parse_file  # noqa: E402

FORMATS = formats()
# Where each input is written to be imported: the test's own folder when it runs this (removed after it).
WORKDIR = Path(os.environ.get("MODERATOR_FUZZ_WORKDIR") or tempfile.mkdtemp(prefix="moderator-fuzz-"))


def one_input(data: bytes) -> None:
    if not data:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    path = WORKDIR / f"input{extension(fmt) if fmt != 'auto' else '.txt'}"
    path.write_bytes(data[1:])
    parse_file(path, fmt)


def write_seeds(corpus: Path) -> None:
    """Every seed and adversarial input once for every format, so the fuzzer starts from real shapes."""
    corpus.mkdir(parents=True, exist_ok=True)
    for i, fmt in enumerate(FORMATS):
        for name, body in {**SEEDS, **ADVERSARIAL}.items():
            if len(body) < 200_000:
                (corpus / f"{fmt}-{name}").write_bytes(bytes([i]) + body)


def main() -> None:
    corpora = [a for a in sys.argv[1:] if not a.startswith("-")]
    if corpora and os.environ.get("MODERATOR_FUZZ_SEED", "1") == "1":
        write_seeds(Path(corpora[0]))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
