from promptops.optimize.edits import (
    FILLER_PHRASES,
    apply_edits,
    drop_duplicate_sentences,
    edit_candidates,
    merge_repeated_instructions,
    normalise_lists,
    normalise_whitespace,
    remove_filler,
)
from promptops.repo.scaffold import EXAMPLE_FILES
from promptops.repo.tokens import count_tokens
from tests.optimize.prompts import SUPPORT_SYSTEM, TIGHT_PROMPT, USER_TEMPLATE, Invariants

INV = Invariants(must_contain=("refund policy",), variables=("customer_message",), max_tokens=400)
FENCED = '```json\n{"order_id": "in order to", "note": "Please note that this block is data"}\n```'


def test_filler_phrases_go_and_sentences_stay_capitalised() -> None:
    text = remove_filler(SUPPORT_SYSTEM)
    assert "You must always be polite and professional." in text
    assert "Answer in the customer's language." in text
    assert "To look up an order, call the lookup_order tool" in text
    assert "* quote the order id in your answer." in text
    assert "If you don't know, say so" in text
    assert FENCED in text  # code fences are data, never edited
    assert ("in order to", "to") in FILLER_PHRASES
    listed = remove_filler("Rules:\n- Make sure to log in.\n2. Be polite. Basically, be kind.\n")
    assert listed == "Rules:\n- Log in.\n2. Be polite. Be kind.\n"


def test_duplicate_sentences_and_list_items_are_dropped_once() -> None:
    text = drop_duplicate_sentences(SUPPORT_SYSTEM)
    assert text.count("Never promise a refund before checking the refund policy.") == 1
    assert text.count("Always answer in the customer's language.") == 1
    template = drop_duplicate_sentences(USER_TEMPLATE)
    assert template.count("Make sure to reply to the message above.") == 1


def test_repeated_instruction_in_other_words_is_merged_at_the_first_place() -> None:
    text = merge_repeated_instructions(SUPPORT_SYSTEM)
    assert "It is important to answer in the customer's language.\n" in text
    assert "Always answer in the customer's language" not in text
    assert "Never promise a refund" in text and "Keep answers short." in text


def test_negated_instruction_is_not_merged_with_its_opposite() -> None:
    text = "Share the order status with the customer.\nNever share the order status with the customer.\n"
    assert merge_repeated_instructions(text) == text
    text = "Refunds are possible within 14 days of delivery.\nRefunds are possible within 30 days.\n"
    assert merge_repeated_instructions(text) == text


def test_lists_get_one_bullet_style_and_renumbering() -> None:
    text = normalise_lists("Steps:\n1) look up\n3. answer\n\n* a\n+ b\n  • c\n")
    assert text == "Steps:\n1. look up\n2. answer\n\n- a\n- b\n  - c\n"


def test_whitespace_is_normalised_outside_fences() -> None:
    text = normalise_whitespace("A  b.   \n\n\n\nC , d\n```\nx    y\n```\n")
    assert text == "A b.\n\nC, d\n```\nx    y\n```\n"


def test_candidates_name_their_edits_and_the_combination_is_shortest() -> None:
    candidates = edit_candidates(SUPPORT_SYSTEM, INV)
    by_edits = {c.edits: c for c in candidates}
    combined = candidates[-1]
    assert len(combined.edits) >= 3 and combined.guard.ok
    assert combined.text == apply_edits(SUPPORT_SYSTEM, combined.edits)
    assert combined.guard.tokens < min(c.guard.tokens for c in candidates[:-1])
    assert combined.guard.tokens < count_tokens(SUPPORT_SYSTEM) * 0.9
    assert "refund policy" in combined.text and FENCED in combined.text
    whitespace_only = by_edits[("normalise-whitespace",)]
    assert whitespace_only.guard.reasons == ("identical to the base after whitespace/case normalisation",)
    assert "normalise-whitespace" not in combined.edits


def test_an_edit_that_breaks_an_invariant_is_left_out_of_the_combination() -> None:
    inv = Invariants(must_contain=("Make sure to reply",))
    candidates = edit_candidates(USER_TEMPLATE, inv, required_variables=("customer_message",))
    filler = next(c for c in candidates if c.edits == ("remove-filler-phrases",))
    assert filler.guard.reasons == ("drops required phrase 'Make sure to reply' (invariants.must_contain)",)
    assert all("remove-filler-phrases" not in c.edits for c in candidates if c.guard.ok)
    combined = max((c for c in candidates if c.guard.ok), key=lambda c: len(c.edits))
    assert combined.edits == ("drop-duplicate-sentences",)
    assert combined.text.count("Make sure to reply to the message above.") == 1
    assert combined.guard.ok and "{{ tier }}" in combined.text and "{{customer_message}}" in combined.text


def test_a_tight_prompt_yields_no_candidates() -> None:
    assert edit_candidates(TIGHT_PROMPT, INV) == []


def test_the_example_agent_prompts_are_left_intact_or_improved_without_breaking_invariants() -> None:
    inv = Invariants(must_contain=("refund policy",), variables=("customer_message",), max_tokens=600)
    for name in ("system.md", "user.md", "tools/lookup_order.md"):
        text = EXAMPLE_FILES[name]
        required = ("customer_message",) if name == "user.md" else ()
        for candidate in edit_candidates(text, inv, required_variables=required):
            assert candidate.guard.ok, (name, candidate.edits, candidate.guard.reasons)
    # A variable standing alone on its line looks like a repeat of "Customer message:" to
    # the word-overlap test; template lines are never merged away.
    assert merge_repeated_instructions(EXAMPLE_FILES["user.md"]) == EXAMPLE_FILES["user.md"]
