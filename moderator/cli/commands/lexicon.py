"""`moderator lexicon path|check|show`: the lexicon of highlighted words."""

from __future__ import annotations

import sys
from pathlib import Path


def run(args) -> int:
    from moderator.core.wellbeing import lexicon as lx

    if args.action == "path":
        print(lx.ensure_user_lexicon())  # made from the bundled one on first use, ready to edit
        return 0
    if args.action == "check":
        path = Path(args.file) if args.file else lx.user_lexicon_path()
        if not path.exists() and not args.file:
            print(f"{path}: no copy of your own yet; the bundled lexicon is used (`moderator lexicon path` makes one)")
            path = lx.bundled_path()
        lexicon = lx.load_lexicon(path)  # LexiconError: path:line: reason, and exit status 1
        print(f"{path}: valid lexicon, {lexicon.terms} terms in {len(lexicon.categories)} categories")
        return 0
    lexicon, error = lx.active_lexicon()
    if error:
        print(f"moderator: {error}", file=sys.stderr)
    print(f"# {lexicon.source}")
    for category in lexicon.categories:
        print(f"\n[{category.id}] {category.label} ({category.severity.name.lower()})")
        print("  " + ", ".join(term + ("" if level == category.severity else f" ({level.name.lower()})")
                               for c, term, level in lexicon.entries if c == category))  # fmt: skip
    return 0
