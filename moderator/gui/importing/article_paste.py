"""Comments pasted under a fetched article: the paste preview's layout, and the comments it gives back.

A page whose comments could not be read gives its article alone (``FetchedThread.comments_found`` is
False). The user copies the comment section in the browser; ``article_layout`` puts the page's title
and article paragraphs first (roles set, as read from the page) and the pasted blocks after them, so
the preview shows the comments in place under the article and finds their quotes of it.
``pasted_comments`` turns the previewed draft back into the comments to write under the page's own
article (``fetching.result.with_comments``): its article and title stay the page's.
"""

from __future__ import annotations

from dataclasses import replace

from moderator.core.fetching.result import FetchedThread
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.formats.paste.blocks import Block
from moderator.core.importing.formats.paste.layout import PasteLayout, relink
from moderator.core.importing.formats.paste.reader import analyse, split_blocks

FROM_PAGE = "read from the page"


def usable_paste(text: str, address: str) -> bool:
    """Whether clipboard text could be a comment section: not blank, and not just an address."""
    flat = text.strip()
    return bool(flat) and flat != address.strip() and not (flat.startswith(("http://", "https://")) and len(flat.split()) == 1)


def article_layout(fetched: FetchedThread, pasted: str) -> PasteLayout:
    """The page's title and article paragraphs, then the pasted text's blocks as the paste reader sees them."""
    draft = fetched.drafts[0]
    title = (draft.title or "").strip()
    head = "\n\n".join(part for part in (title, draft.article.strip()) if part)
    titled = len(split_blocks(title)) if title else 0
    fixed = [
        replace(block, role="title" if i < titled else "article", score=1.0, detail=FROM_PAGE)
        for i, block in enumerate(split_blocks(head))
    ]
    shift = head.count("\n") + 3 if head else 0  # two blank lines between the article and the paste
    own = analyse(pasted).blocks
    moved: list[Block] = [replace(b, line=b.line + shift) for b in own]
    if fixed and moved:
        moved[0] = replace(moved[0], blanks_before=max(moved[0].blanks_before, 2))
    return relink(PasteLayout(tuple(fixed + moved)))


def pasted_comments(built: ThreadDraft, fetched: FetchedThread) -> list[CommentDraft]:
    """The previewed draft's comments, their quotes of the article pointing into the page's article.

    The preview's article is the page's paragraphs, then any article text the paste held (a page copied
    whole): a quote of that later text is looked up in the page's article, and dropped if not there.
    """
    article = fetched.drafts[0].article
    comments = []
    for comment in built.comments:
        quotes = []
        for quote in comment.quotes:
            if quote.source == "article" and quote.source_start is not None and quote.source_end is not None:
                quoted = built.article[quote.source_start : quote.source_end]
                if article[quote.source_start : quote.source_end] != quoted:
                    at = article.find(quoted) if quoted else -1
                    if at < 0:
                        continue
                    quote = replace(quote, source_start=at, source_end=at + len(quoted))
            quotes.append(quote)
        comments.append(replace(comment, quotes=quotes))
    return comments
