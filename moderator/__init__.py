"""Moderator: a keyboard-first moderation queue for labelling discussion threads."""

__version__ = "0.1.0"
