"""The `moderator` command line: parser.py is the grammar, main.py dispatches, commands/ holds one module per command."""
