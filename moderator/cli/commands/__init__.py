"""One module per subcommand; each `run(args) -> int` is a thin call into moderator.core (or devtools, for bench)."""
