"""`moderator schema show|check|load`: the label schema."""

from __future__ import annotations

from moderator.cli.common import UsageError, open_db, require_lead


def run(args) -> int:
    from moderator.core.schema.definition import load_schema

    if args.action in ("check", "load") and not args.file:
        raise UsageError(f"schema {args.action} needs a FILE")
    schema = load_schema(args.file) if args.file else None
    if args.action == "check":
        print(f"{args.file}: valid schema {schema.name!r} version {schema.version}, {len(schema.questions)} questions")
        return 0
    from moderator.core.labelling.log import activate_schema, active_schema

    engine = open_db(args)
    if args.action == "load":
        require_lead(args, engine, "change the label schema")
        activate_schema(engine, schema)
        print(f"schema {schema.name!r} version {schema.version} is now the project's label schema")
        return 0
    _, schema = active_schema(engine)
    print(f"{schema.name} v{schema.version}: {schema.description}")
    for q in schema.questions:
        keys = ", ".join(f"{o.key}={o.value}" for o in q.options if o.key) or (q.key or "")
        print(f"  {q.id:<16} {q.kind:<8} {'required' if q.required else 'optional':<9} {keys}")
    return 0
