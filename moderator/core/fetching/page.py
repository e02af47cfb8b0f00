"""Any other page: its article, and its comments when the page declares them (schema.org JSON-LD).

Without readable comments the thread is the article alone, and ``comments_found`` is False: the
window then offers to paste the comments under it. A page with neither text nor comments, or an
address that does not serve a web page at all (an image, a PDF), is refused as not a thread.
"""

from __future__ import annotations

import codecs
import hashlib
import re

from moderator.core.fetching.addresses import PAGE, without_fragment
from moderator.core.fetching.article import Article, extract_article
from moderator.core.fetching.client import Client, Response
from moderator.core.fetching.jsonld import declared_comments
from moderator.core.fetching.result import NO_COMMENTS, FetchedThread
from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.linking.quote_links import link_quotes
from moderator.core.importing.linking.reply_tree import ReplyCycle, reply_depths
from moderator.core.progress import Progress

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
WEB_PAGES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def fetch(client: Client, address: str, progress: Progress) -> FetchedThread:
    url = without_fragment(address)
    response = client.get(url, ACCEPT)
    progress(0.6)
    html = _html(client, response)
    article = _article(client, html, response.url)
    declared = declared_comments(html)
    comments = declared.comments
    if article is None and not comments:
        raise client.fail("no article text or comments found on the page: not a thread", response.url)
    title = (article.title if article else None) or declared.headline
    draft = ThreadDraft(
        source=PAGE,
        title=title,
        url=url,
        article=article.text if article else "",
        published_at=article.published_at if article else None,
        comments=comments,
        metadata={"address": address},
    )
    if article is not None:
        draft.metadata.update({k: v for k, v in (("author", article.author), ("site", article.sitename)) if v})
    if response.url != url:
        draft.metadata["fetched_url"] = response.url  # after redirects
    try:
        reply_depths([c.parent_index for c in comments])
    except ReplyCycle:  # cannot happen with JSON-LD's nesting; refused rather than written wrong
        raise client.fail("not a thread: its comments reply to each other in a circle", response.url) from None
    link_quotes(draft, declared.quotes)
    warnings = []
    if comments and declared.declared_count is not None and declared.declared_count > len(comments):
        warnings.append(f"the page counts {declared.declared_count} comments; {len(comments)} could be read")
    if not comments:
        warnings.append(NO_COMMENTS)
    progress(1.0)
    digest = hashlib.sha256(response.body).hexdigest()
    return FetchedThread(address, PAGE, [draft], digest, comments_found=bool(comments), warnings=warnings)


def _html(client: Client, response: Response) -> str:
    kind = response.content_type
    if kind and kind not in WEB_PAGES:
        raise client.fail(f"not a web page: the address serves {kind}", response.url)
    body = response.body
    if not kind and body.lstrip()[:1] != b"<":
        raise client.fail("not a web page: the address serves something without a type that is not HTML", response.url)
    if b"\x00" in body[:4096] and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise client.fail("not a web page: the address serves binary data", response.url)
    html = body.decode(_charset(response), errors="replace")
    if not html.strip():
        raise client.fail("the page is empty: not a thread", response.url)
    return html


def _charset(response: Response) -> str:
    """The page's encoding: from its Content-Type, else its ``<meta charset>``, else UTF-8."""
    for candidate in (response.charset, _meta_charset(response.body)):
        if candidate:
            try:
                return codecs.lookup(candidate).name
            except LookupError:
                continue
    if response.body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else None


def _article(client: Client, html: str, url: str) -> Article | None:
    try:
        return extract_article(html, url)
    except Exception as exc:  # a third-party extractor on a hostile page: one line, never a traceback
        raise client.fail(f"the page could not be read ({type(exc).__name__})", url) from None
