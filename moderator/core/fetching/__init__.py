"""Threads opened from their address: a Reddit thread, a Hacker News item, or any news page.

``importing`` reads files; this package fetches pages and API responses over HTTP, politely and within
bounds (``client``, ``settings``), tells which source an address is (``addresses``), turns each
source's responses into thread drafts (``reddit`` with ``reddit_more``, ``hackernews``, ``page`` with
``article`` and ``jsonld``), and writes them as one import batch per address (``importer``), so that
importing an address again adds only its new comments. Callers use ``importer`` (``import_address``,
``import_addresses``; the window ``fetch_thread`` then ``write_fetched``).
"""
