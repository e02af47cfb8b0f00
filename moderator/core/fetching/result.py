"""What fetching an address gives, before anything is written: thread drafts and what to tell the user."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from moderator.core.importing.drafts import CommentDraft, ThreadDraft

NO_COMMENTS = "no comments found on the page: the article alone was read; paste its comments under it (File → Paste thread)"


@dataclass
class FetchedThread:
    address: str  # as the user gave it: it names the import batch and every message
    format: str  # reddit, hackernews or page
    drafts: list[ThreadDraft]
    sha256: str  # of what was read (the responses as parsed): the same content again is "already imported"
    # False for a page whose comments could not be read reliably: the article alone, and the window
    # offers to paste the comments under it (the paste preview, with the article in place).
    comments_found: bool = True
    warnings: list[str] = field(default_factory=list)


def with_comments(fetched: FetchedThread, comments: list[CommentDraft]) -> FetchedThread:
    """A fetched page with comments pasted under its article (the window's paste preview), ready to write.

    Its batch is no longer just the page's bytes, so it has no sha256: writing it is never "already
    imported", and the thread (same title, address and article) is the one the page made, if written.
    """
    draft = replace(fetched.drafts[0], comments=list(comments))
    warnings = [w for w in fetched.warnings if w != NO_COMMENTS]
    return replace(fetched, drafts=[draft, *fetched.drafts[1:]], sha256="", comments_found=True, warnings=warnings)
