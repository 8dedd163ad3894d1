from promptops.optimize.invariants import check_candidate, guard_all, template_variables
from tests.optimize.prompts import SUPPORT_SYSTEM, USER_TEMPLATE, Invariants

INV = Invariants(must_contain=("refund policy",), variables=("customer_message",), max_tokens=200)


def test_a_faithful_rewrite_passes() -> None:
    text = SUPPORT_SYSTEM.replace("Please note that you", "You")
    result = check_candidate(text, SUPPORT_SYSTEM, INV)
    assert result.ok and result.reasons == ()
    assert 0 < result.tokens < 200


def test_dropping_a_required_phrase_is_rejected_with_the_phrase_named() -> None:
    text = SUPPORT_SYSTEM.replace("refund policy", "rules")
    result = check_candidate(text, SUPPORT_SYSTEM, INV)
    assert not result.ok
    assert result.reasons == ("drops required phrase 'refund policy' (invariants.must_contain)",)


def test_required_phrase_matches_exactly_as_lint_checks_it() -> None:
    text = SUPPORT_SYSTEM.replace("the refund policy", "the Refund Policy").replace("Basically, if", "If")
    assert check_candidate(text, SUPPORT_SYSTEM, INV).reasons == (
        "drops required phrase 'refund policy' (invariants.must_contain)",
    )


def test_a_phrase_the_base_lacks_is_not_demanded() -> None:
    base = "Describe the order status in one line.\n"
    assert check_candidate("Describe the order status briefly.\n", base, INV).ok


def test_template_variables_must_be_exactly_the_base_set() -> None:
    assert template_variables(USER_TEMPLATE) == {"tier", "customer_message"}
    dropped = USER_TEMPLATE.replace("{{ tier }}", "gold")
    added = USER_TEMPLATE + "Order: {{order_id}}\n"
    renamed = USER_TEMPLATE.replace("{{customer_message}}", "{{message}}")
    assert check_candidate(dropped, USER_TEMPLATE, INV).reasons == ("drops template variable(s) {{tier}}",)
    assert check_candidate(added, USER_TEMPLATE, INV).reasons == ("adds template variable(s) {{order_id}}",)
    assert check_candidate(renamed, USER_TEMPLATE, INV).reasons == (
        "drops template variable(s) {{customer_message}}",
        "adds template variable(s) {{message}}",
    )
    spaced = USER_TEMPLATE.replace("{{ tier }}", "{{tier}}").replace("Please note that the", "The")
    assert check_candidate(spaced, USER_TEMPLATE, INV).ok


def test_declared_variables_are_required_even_if_the_base_lost_one() -> None:
    base = "Answer: {{question}}\n"
    result = check_candidate("Reply to: {{question}}\n", base, INV, required_variables=("customer_message",))
    assert result.reasons == ("drops template variable(s) {{customer_message}}",)


def test_over_the_agents_token_budget_is_rejected_with_the_count() -> None:
    result = check_candidate(SUPPORT_SYSTEM + "Be kind. " * 120, SUPPORT_SYSTEM, INV)
    assert not result.ok and result.tokens > 200
    assert result.reasons == (
        f"the agent's prompts would use {result.tokens} tokens ({result.tokens} in this one), "
        "over invariants.max_tokens 200",
    )
    # The budget is for all the agent's prompts in one request, as lint counts it.
    text = SUPPORT_SYSTEM.replace("Please note that you", "You")
    assert check_candidate(text, SUPPORT_SYSTEM, INV).ok
    assert not check_candidate(text, SUPPORT_SYSTEM, INV, other_tokens=100).ok


def test_near_identical_to_base_or_another_candidate_is_rejected() -> None:
    shouty = SUPPORT_SYSTEM.upper().replace("\n", "\n\n").replace("REFUND POLICY", "refund policy")
    assert check_candidate(shouty, SUPPORT_SYSTEM, INV).reasons == (
        "identical to the base after whitespace/case normalisation",
    )
    results = guard_all({"v1": "Be brief.", "v2": "be   BRIEF.", "v3": ""}, SUPPORT_SYSTEM, Invariants())
    assert results["v1"].ok
    assert results["v2"].reasons == ("identical to candidate v1 after whitespace/case normalisation",)
    assert results["v3"].reasons[0] == "the text is empty"


def test_earlier_rounds_count_as_other_candidates() -> None:
    results = guard_all({"r2-1": "Be brief."}, SUPPORT_SYSTEM, Invariants(), accepted={"r1-2": "BE BRIEF."})
    assert results["r2-1"].reasons == ("identical to candidate r1-2 after whitespace/case normalisation",)
