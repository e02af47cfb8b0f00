from moderator.core.labelling.drafts import Draft, Drafts


def test_a_draft_is_kept_per_comment_taken_back_once_and_an_empty_one_drops_it():
    drafts = Drafts()
    drafts.keep(7, Draft({"toxicity": 3}))
    drafts.keep(8, Draft({}, ({"start": 0, "end": 4, "question": "rationale"},)))
    assert len(drafts) == 2 and drafts.comment_ids() == [7, 8]
    assert drafts.take(7) == Draft({"toxicity": 3}) and drafts.take(7) is None
    drafts.keep(8, Draft())  # everything taken back on screen: no draft left
    assert len(drafts) == 0
