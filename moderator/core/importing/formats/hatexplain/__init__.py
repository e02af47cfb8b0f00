"""HateXplain importer: ``dataset.json`` of HateXplain (Mathew et al., AAAI 2021), with its annotators' labels.

The file is one JSON object keyed by post id (a top-level list of the same posts is read too)::

    "1179055004553900032_twitter": {
        "post_id": "1179055004553900032_twitter",
        "annotators": [{"label": "hatespeech", "annotator_id": 1, "target": ["African", "None"]}, ...],
        "rationales": [[0, 1, 1, 0, ...], ...],
        "post_tokens": ["the", "tokens", ...]
    }

It becomes ONE thread, titled with the file's stem ("dataset"), with every post a top-level comment:
its text the tokens joined by single spaces, ``external_id`` the post id (``metadata["platform"]`` twitter
or gab, from the id's suffix). Each annotator is a prior label of ``"hatexplain/<annotator_id>"`` with
``{"label": "normal" | "offensive" | "hatespeech", "target": [communities, "None" left out]}``, under the
schema ``"hatexplain"`` version 1 (``schema``): ``label`` nominal, ``target`` multi with the communities
named in the file, sorted, and ``rationale`` a spans question.

Rationales (``rationales``): each is one 0/1 mark per token. A run of consecutive marked tokens is one
character span of the joined text (``{"start", "end", "question": "rationale"}``), on the prior label of
the annotator the rationale belongs to. HateXplain does not say whose each rationale is, so:

* as many rationales as annotators: one each, in order;
* else as many as annotators who labelled the post offensive or hatespeech (what HateXplain's README
  describes, and how most of its toxic posts have them): theirs, in order;
* else fewer than the annotators: the first ones in order (how HateXplain built its newer posts, whose
  rationales are the first two annotators'), noted as a heuristic on the comment and in one warning;
* more rationales than annotators fails the file.

A rationale whose length is not the post's token count is left out with a warning (refused under
``--strict``), as is an annotator listed twice in one post (counted once, the later labels kept).
Errors are ``ImportFailure`` naming the post's line: its ``"<post id>": {``, or in a list where the
post's object starts.
"""

from moderator.core.importing.formats.hatexplain.reader import EXTENSIONS, NAME, STREAMS, parse, sniff

__all__ = ["EXTENSIONS", "NAME", "STREAMS", "parse", "sniff"]
