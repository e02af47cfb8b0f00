"""LeWiDi 2023 importer: the harmonised JSON of the Learning-With-Disagreements shared task.

A file is one JSON object keyed by item id. Every item has ``text``, ``"annotation task"``,
``annotators`` ("Ann1,Ann2,...") and ``annotations`` ("0,1,...", aligned with the annotators),
``hard_label``, ``soft_label``, ``split`` and ``other_info``; ``other_info`` may hold more labels by
the same annotators (``"other annotations"`` in HS-Brexit, ``"other_annotations"`` in ConvAbuse).

Two shapes come out:

* Flat items (HS-Brexit and the like): ONE thread per file, titled ``"<dataset> (<split>)"``, with
  every item a top-level comment whose ``external_id`` is the item id.
* Conversations (ConvAbuse, whose ``text`` is itself a JSON string with ``prev_agent``, ``prev_user``,
  ``agent`` and ``user``): one thread per item, the turns as a chain of replies by "agent" and
  "user". Empty context turns ("", or the "_" placeholder ConvAbuse uses) are left out and the chain
  closes over them. Only the user turn, the one the annotators judged, carries prior labels; its
  ``external_id`` is the item id, a context turn's is ``"<id>/<turn>"``.

Naming (``naming``):

* The dataset is the file name's stem before ``_train``/``_dev``/``_test`` ("HS-Brexit_dev.json" is
  "HS-Brexit"); failing that, the dataset a known annotation task belongs to, then the bare stem.
* Annotators are ``"<dataset>/<name>"`` ("HS-Brexit/Ann1"): LeWiDi numbers the annotators of every
  dataset from Ann1, and they are different people. The same annotator in the train and dev files of
  one dataset gets the same name.
* Question ids are snake_case from the task, without "detection" and "language": "hate speech
  detection" is ``hate_speech``, "aggressive language detection" is ``aggressive``, ConvAbuse's
  (misspelt) "abusivness detection" is ``abuse``; ``other_info`` labels are named the same way
  ("target.system" is ``target_system``).

Schema (``schema``): values are ints. A 0/1 question is nominal (options 0 and 1). ConvAbuse's abuse
label is the per-annotator severity, 1 not abusive, 0 ambiguous, -1 mildly, -2 strongly, -3 very
strongly abusive (the harmonised file keeps that scale in ``annotations``; only ``hard_label`` is 0/1),
an ordinal question listed from 1 down to -3, harmless first like the default schema. Any other integer
scale is ordinal in ascending order. ``ThreadDraft.prior_schema`` is the schema ``"lewidi-<dataset>"``
version 1. Known scales always list all their options, so the train and dev files of a dataset carry
the same schema.

Errors are ``ImportFailure`` naming the line of the item (``"<id>": {``) or of its field. A main
label that is not an integer fails the file; an ``other_info`` label that is not one (HS-Brexit's
train file has an "offensive" label spelled "No", twice) is left out of that annotator's values and
kept, as written, in the comment's ``metadata["unreadable_prior_labels"]`` with a heuristic. An item
listing one annotator twice counts them once, with a warning at the item's line (``options.quirk``;
refused under ``--strict``): with the same labels, once; with different ones, the later labels.
"""

from moderator.core.importing.formats.lewidi.reader import EXTENSIONS, NAME, STREAMS, parse, sniff

__all__ = ["EXTENSIONS", "NAME", "STREAMS", "parse", "sniff"]
