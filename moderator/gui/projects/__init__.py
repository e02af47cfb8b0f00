"""Projects from the window: open, create and reopen recent ones, each in a window of its own."""
