"""A conversation's printable toolkit and its plan: the preparation call for each side by
name, ground rules and notes; questions for other kinds of agency left out; core questions
and their minutes carried for the console, the screen and the run sheet."""

from __future__ import annotations

from tests.conftest import AuthActions, page_text
from tests.integration.test_participant import with_conversation


def test_the_toolkit_page_names_each_side_and_holds_the_whole_toolkit(app, client,
                                                                      make_conversation):
    ref = make_conversation(status="upcoming")
    AuthActions(client).sign_in_as(ref.facilitator)
    show = page_text(client.get(f"/conversations/{ref.id}"))
    assert f'href="/conversations/{ref.id}/toolkit"' in show
    response = client.get(f"/conversations/{ref.id}/toolkit")
    assert response.status_code == 200
    text = page_text(response)
    assert "Preparation call with Riverside Big Local" in text
    assert "Preparation call with Exampletown Primary Care Network" in text
    assert text.index("What would make this conversation worth the partnership's time?") < \
        text.index("Preparation call with Exampletown Primary Care Network") < \
        text.index("What made you willing to come to this conversation?")
    # a question for both sides is in both calls
    assert text.count("What would help you take part fully on the day?") == 2
    for words in ("Ground rules to propose", "What is said here stays here",
                  "When the room is stuck", "When one side dominates",
                  "When emotion runs high", "that's not my department", "The parking lot",
                  "The commitment check", "Borrowed from Liberating Structures: Heard, Seen, "
                  "Respected."):
        assert words in text, words


def test_the_toolkit_is_only_for_the_conversations_facilitator(app, client, make_conversation,
                                                               make_facilitator):
    ref = make_conversation()
    assert client.get(f"/conversations/{ref.id}/toolkit").status_code == 302  # sign in first
    AuthActions(client).sign_in_as(make_facilitator())
    assert client.get(f"/conversations/{ref.id}/toolkit").status_code == 404
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/conversations/<int:conversation_id>/toolkit" in rules  # so the access matrix visits it


def _plan(app, ref, subtype):  # type: ignore[no-untyped-def]
    from convo.conversations import service

    def plan(conversation):  # type: ignore[no-untyped-def]
        conversation.agency_subtype = subtype
        return service.plan_for(conversation)

    return with_conversation(app, ref, plan)


def test_big_local_questions_are_asked_only_of_a_big_local_lto(app, make_conversation):
    ref = make_conversation(set_id="lto_review")
    big_local = "lto_what_role_gives", "lto_rep"

    def asked(subtype):  # type: ignore[no-untyped-def]
        plan = _plan(app, ref, subtype)
        return {q.id for stage in plan.stages for q in stage.questions}

    assert set(big_local) <= asked("lto")
    assert set(big_local) <= asked(None)  # no kind chosen: every question is offered
    generic = asked("accountable_body")
    assert not set(big_local) & generic and "lto_what_it_does" in generic


def test_the_plan_carries_core_questions_and_their_minutes(app, make_conversation):
    ref = make_conversation()
    plan = _plan(app, ref, "pcn")
    stages = {stage.id: stage for stage in plan.stages}
    opening = stages["open"]
    assert [q.id for q in opening.core_questions] == ["check_in", "open_ground_rules"]
    assert opening.core_minutes == 8 and opening.fits
    assert stages["how_well"].core_minutes == 13  # two core questions and time to score
    assert stages["break"].is_break and stages["break"].questions == ()
    assert all(stage.fits for stage in plan.stages)
    assert plan.planned_minutes == plan.question_set.duration_minutes == 100


def test_a_shortened_stage_says_it_is_too_short_for_its_core_questions(app, client, auth,
                                                                      make_conversation):
    ref = make_conversation(status="upcoming")
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}/plan"
    page = page_text(client.get(url))
    assert "2 core questions: at least 8 minutes." in page
    data = {}
    with app.app_context():
        from convo.conversations import service
        from convo.extensions import db
        from convo.models import Conversation

        plan = service.plan_for(db.session.get(Conversation, ref.id))
        for stage in plan.stages:
            data[f"include-{stage.id}"] = "on"
            data[f"minutes-{stage.id}"] = str(stage.minutes)
    data["minutes-challenges"] = "5"
    shown = auth.submit(url, url, {**data, "minutes-open": "x"})  # kept as typed
    assert shown.status_code == 422
    row = page_text(shown).split('id="core-challenges"')[1].split("</span>")[0]
    assert "2 core questions: at least 8 minutes. <strong>Too short for them now.</strong>" in row
    assert "Too short" not in page_text(shown).split('id="core-open"')[1].split("</span>")[0]
    auth.submit(url, url, data)
    assert "too short for its core questions (they need 8)" in page_text(
        client.get(f"/conversations/{ref.id}"))


def test_a_conversation_prepared_before_core_questions_calls_nothing_optional(
        app, client, auth, make_conversation):
    """A set of the first edition marked no core questions: its conversations keep their
    snapshot, and the console and the screen do not call every question optional."""
    from convo.conversations import service
    from convo.questions.schema import QuestionSet

    ref = make_conversation()

    def first_edition(conversation):  # type: ignore[no-untyped-def]
        data = service.question_set_for(conversation).model_dump(by_alias=True)
        for stage in data["stages"]:
            for question in stage["questions"]:
                question["core"] = False
        conversation.snapshot = service.snapshot_for(QuestionSet.model_validate(data))
        conversation.current_stage_id, conversation.current_question_id = "open", "open_hopes"

    with_conversation(app, ref, first_edition)
    auth.sign_in_as(ref.facilitator)
    console = page_text(client.get(f"/conversations/{ref.id}/console"))
    assert "By the end of today, what would you each like to leave with?" in console
    assert "Optional: if time allows" not in console and "Core question" not in console
    screen = page_text(client.get(f"/c/{ref.id}/screen"))
    assert "Extra question" not in screen and "Key question" not in screen
