"""Languages (issue 19): each participant's phone in their own language, a conversation in
one language or two (the shared screen's question, the summary in both, each passage tagged
with its language), question sets read in the language they are shown in."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from markupsafe import escape
from pypdf import PdfReader

from tests.conftest import page_text
from tests.forms import form_fields
from tests.integration.test_participant import join
from tests.integration.test_summary import _approve_both, _fill, inbox  # noqa: F401
from tests.queueing import run_jobs


def in_language(app: Flask, code: str, text: str, html: bool = True) -> str:
    """convo's own words in a language, as its catalogue has them (and not still English),
    escaped as HTML writes them unless `html` is False."""
    with app.test_request_context(), force_locale(code):
        found = gettext(text)
    assert found != text, f"{text!r} has no {code} translation"
    return str(escape(found)) if html else found


def question_in(app: Flask, conversation_id: int, code: str) -> str:
    """The conversation's current question as its set has it in a language, as HTML writes
    it (an apostrophe escaped)."""
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        plan = service.plan_for(conversation, code)
        return str(escape(plan.question(conversation.current_stage_id,
                                        conversation.current_question_id).text))


def choose_language(phone, code: str, back: str = "/p"):  # type: ignore[no-untyped-def]
    fields = form_fields(phone.get(back).get_data(as_text=True), "/p/language")
    fields.update({"language": code})
    return phone.post("/p/language", data=fields)


def go_to_first_question(app: Flask, ref) -> None:  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.live import state
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        conversation.current_stage_id = "open"
        conversation.current_question_id = "open_ground_rules"
        conversation.screen_mode = "question"
        state.bump(conversation)
        db.session.commit()


# --- a participant's own language -------------------------------------------------------------


def test_each_phone_reads_in_the_language_its_participant_chose(app, auth, make_conversation):
    ref = make_conversation()
    go_to_first_question(app, ref)
    welsh, urdu, english = app.test_client(), app.test_client(), app.test_client()
    for index, phone in enumerate((welsh, urdu, english)):
        join(phone, ref, index)
    assert choose_language(welsh, "cy").status_code == 303
    assert choose_language(urdu, "ur").headers["Location"].endswith("/p")

    page = welsh.get("/p").get_data(as_text=True)
    assert '<html lang="cy" dir="ltr">' in page
    assert in_language(app, "cy", "Add a point") in page
    question = question_in(app, ref.id, "cy")
    assert question != question_in(app, ref.id, "en_GB") and question in page
    assert '<option value="cy" lang="cy" selected>Cymraeg</option>' in page

    page = urdu.get("/p").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in page
    assert in_language(app, "ur", "Add a point") in page
    assert question_in(app, ref.id, "ur") in page
    view = urdu.get("/p/view?v=0").get_data(as_text=True)  # what the page fetches as it moves on
    assert question_in(app, ref.id, "ur") in view

    page = english.get("/p").get_data(as_text=True)
    assert '<html lang="en-GB" dir="ltr">' in page and "Add a point" in page
    assert question_in(app, ref.id, "en_GB") in page

    # The scores page, and the summary to approve, follow the phone's language too.
    ratings_page = welsh.get("/p/ratings").get_data(as_text=True)
    assert '<html lang="cy"' in ratings_page
    with app.app_context():
        from convo.questions.registry import registry
        from convo.questions.schema import text_in

        trust = next(c for r in registry().get("health").ratings for c in r.criteria
                     if c.id == "trust")
        assert text_in(trust.title, "cy", "en_GB") in ratings_page
    assert '<html lang="ur" dir="rtl"' in urdu.get("/p/summary").get_data(as_text=True)

    # The facilitator, the conversation and the shared screen stay in their own language.
    auth.sign_in_as(ref.facilitator)
    console = auth.client.get(f"/conversations/{ref.id}/console").get_data(as_text=True)
    assert '<html lang="en-GB"' in console and question_in(app, ref.id, "en_GB") in console
    screen = auth.client.get(f"/c/{ref.id}/screen").get_data(as_text=True)
    assert question_in(app, ref.id, "en_GB") in screen
    assert question_in(app, ref.id, "cy") not in screen


def test_the_join_page_offers_the_languages_before_joining(app, client):
    page = client.get("/join").get_data(as_text=True)
    assert 'lang="ur">اردو</option>' in page and ">Cymraeg</option>" in page
    fields = form_fields(page, "/p/language")
    assert fields["next"] == "/join"
    response = client.post("/p/language", data={**fields, "language": "cy"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/join")
    page = client.get("/join").get_data(as_text=True)
    assert '<html lang="cy"' in page and in_language(app, "cy", "Enter your join code") in page
    # A browser asking for Welsh first gets it without choosing.
    fresh = app.test_client()
    page = fresh.get("/join", headers={"Accept-Language": "cy, en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="cy"' in page


@pytest.mark.parametrize("language, back, status, lands", [
    ("xx", "/p", 422, None),
    ("", "/p", 422, None),
    ("<script>alert(1)</script>", "/p", 422, None),
    ("cy", "https://evil.example/", 303, "/join"),
    ("cy", "//evil.example/p", 303, "/join"),
    ("cy", "/conversations", 303, "/join"),  # only a participant's own pages
    ("cy", "/p/ratings", 303, "/p/ratings"),
    ("cy", "/j/ABCD2345", 303, "/j/ABCD2345"),
])
def test_a_language_choice_is_checked(app, client, language, back, status, lands):
    fields = form_fields(client.get("/join").get_data(as_text=True), "/p/language")
    response = client.post("/p/language", data={**fields, "language": language, "next": back})
    assert response.status_code == status
    if lands:
        assert response.headers["Location"] == lands
    else:
        assert "Choose a language from the list" in page_text(response)
        assert "<script>alert" not in response.get_data(as_text=True)
        # Nothing changed: still in English.
        assert '<html lang="en-GB"' in client.get("/join").get_data(as_text=True)


def test_a_language_choice_needs_the_form_token(app, client):
    response = client.post("/p/language", data={"language": "cy", "next": "/join"})
    assert response.status_code == 400
    assert '<html lang="en-GB"' in client.get("/join").get_data(as_text=True)


# --- a conversation in one language or two ---------------------------------------------------


def _edit(auth, ref, **changes):  # type: ignore[no-untyped-def]
    base = f"/conversations/{ref.id}"
    return auth.submit(f"{base}/edit", f"{base}/edit", changes)


def test_the_conversation_can_be_in_welsh_with_english_on_the_screen(app, auth,
                                                                    make_conversation):
    ref = make_conversation()
    go_to_first_question(app, ref)
    auth.sign_in_as(ref.facilitator)
    assert _edit(auth, ref, language="cy", also_in="en_GB").status_code == 302
    screen = auth.client.get(f"/c/{ref.id}/screen").get_data(as_text=True)
    assert '<html lang="cy"' in screen
    welsh, english = question_in(app, ref.id, "cy"), question_in(app, ref.id, "en_GB")
    assert welsh in screen
    second = re.search(r'<div class="screen-second" lang="en-GB" dir="ltr">(.*?)</div>',
                       screen, re.S)
    assert second and english in second.group(1)
    assert screen.index(welsh) < screen.index(english)
    # Urdu as the second language: right to left, in its own block.
    assert _edit(auth, ref, language="en_GB", also_in="ur").status_code == 302
    screen = auth.client.get(f"/c/{ref.id}/screen/view?v=0").get_data(as_text=True)
    assert '<div class="screen-second" lang="ur" dir="rtl">' in screen
    assert question_in(app, ref.id, "ur") in screen
    # No second language: the question once.
    assert _edit(auth, ref, also_in="").status_code == 302
    screen = auth.client.get(f"/c/{ref.id}/screen/view?v=0").get_data(as_text=True)
    assert "screen-second" not in screen


@pytest.mark.parametrize("changes, field, message", [
    ({"language": "ur"}, "language", "Choose the conversation's language from the list."),
    ({"language": "xx"}, "language", "Choose the conversation's language from the list."),
    ({"also_in": "klingon"}, "also_in", "Choose a second language from the list, or none."),
    ({"language": "cy", "also_in": "cy"}, "also_in",
     "Choose a language other than the conversation's own, or none."),
])
def test_wrong_languages_are_refused_with_a_reason(app, auth, make_conversation, changes, field,
                                                   message):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    response = _edit(auth, ref, **changes)
    assert response.status_code == 422
    assert message in page_text(response)
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        assert (conversation.locale, conversation.second_locale) == ("en_GB", None)


def test_two_editors_changing_the_languages_never_overwrite_each_other(app, auth,
                                                                      make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    first = auth.form(f"{base}/edit", f"{base}/edit")  # both open the page
    second = dict(first)
    assert auth.client.post(f"{base}/edit", data={**first, "also_in": "ur"}).status_code == 302
    # The second editor changes the other field, from the page as it was: both kept.
    assert auth.client.post(f"{base}/edit", data={**second, "language": "cy"}).status_code == 302
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        assert (conversation.locale, conversation.second_locale) == ("cy", "ur")
    # Both change the same field from the same page: the second is told, not saved over.
    page = auth.form(f"{base}/edit", f"{base}/edit")
    assert auth.client.post(f"{base}/edit", data={**page, "also_in": "en_GB"}).status_code == 302
    refused = auth.client.post(f"{base}/edit", data={**page, "also_in": ""})
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(Conversation, ref.id).second_locale == "en_GB"


# --- the summary in two languages -------------------------------------------------------------


def _issue(app, auth, ref) -> list[Path]:  # type: ignore[no-untyped-def]
    _fill(app, ref)
    url = f"/c/{ref.id}/summary"
    _approve_both(auth, url)
    assert auth.post(f"{url}/issue", data={}, form_page=url).status_code == 302
    assert run_jobs(app) == 1
    root = Path(app.config["EXPORT_DIR"])
    files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.suffix != ".pdf")
    assert [p.suffix for p in files] == [".pdf", ".docx"]
    return files


def _lang_of_pages(data: bytes) -> list[str]:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        document = pdf.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        return [str(page.get("/Lang", "")) for page in document.K]


def _run_languages(docx: bytes) -> dict[str, int]:
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    runs = len(re.findall(r"<w:r[ >]", xml))
    counts: dict[str, int] = {}
    for tag in re.findall(r'<w:lang w:val="([^"]+)"', xml):
        counts[tag] = counts.get(tag, 0) + 1
    assert sum(counts.values()) == runs  # every run says its language
    return counts


def _bilingual(app, auth, make_conversation, first: str, second: str):  # type: ignore[no-untyped-def]
    """A conversation in `first` and `second`, issued: its PDF's bytes and the language of each
    of its pages, its Word file, and the conversation."""
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    assert _edit(auth, ref, language=first, also_in=second).status_code == 302
    pdf, docx = _issue(app, auth, ref)
    data = pdf.read_bytes()
    pages = _lang_of_pages(data)
    assert pages[0] == first.replace("_", "-") and pages[-1] == second.replace("_", "-")
    return data, pages, docx, ref


def test_a_welsh_and_english_summary_tags_each_passage_with_its_language(app, auth,
                                                                         make_conversation):
    data, pages, docx, ref = _bilingual(app, auth, make_conversation, "cy", "en_GB")
    assert pages == sorted(pages, key=lambda tag: tag != "cy")  # Welsh first, then English
    text = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    welsh_title = in_language(app, "cy", "Summary of our conversation", html=False)
    assert welsh_title in text[0]
    english_start = pages.index("en-GB")
    assert "Summary of our conversation" in text[english_start]
    assert in_language(app, "cy", "Agreed actions", html=False) in " ".join(text[:english_start])
    # The words people said appear in both, as they said them.
    assert sum("Long COVID" in page for page in text) >= 2

    counts = _run_languages(docx.read_bytes())
    assert set(counts) == {"cy", "en-GB"} and min(counts.values()) > 20
    word = docx.read_bytes()
    assert welsh_title.encode() in zipfile.ZipFile(io.BytesIO(word)).read("word/document.xml")
    # The draft's preview shows the same two parts, each with its language.
    preview = auth.client.get(f"/c/{ref.id}/summary/preview").get_data(as_text=True)
    assert '<div class="language-part language-part-1" lang="cy" dir="ltr">' in preview
    assert '<div class="language-part language-part-2" lang="en-GB" dir="ltr">' in preview
    ids = re.findall(r' id="([^"]+)"', preview)
    assert len(ids) == len(set(ids))  # no id twice


def test_an_urdu_summary_is_right_to_left_and_reads_in_order(app, auth, make_conversation):
    data, _pages, docx, _ref = _bilingual(app, auth, make_conversation, "en_GB", "ur")
    urdu_title = in_language(app, "ur", "Summary of our conversation", html=False)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # Text extraction gives the Urdu in logical (reading) order, shaped letters mapped back
    # to their characters.
    assert urdu_title in text
    assert in_language(app, "ur", "Agreed actions", html=False) in text
    with app.app_context():  # the scores' table too: what was scored, in Urdu
        from convo.questions.registry import registry
        from convo.questions.schema import text_in

        trust = next(c for r in registry().get("health").ratings for c in r.criteria
                     if c.id == "mutual_knowledge")
        assert text_in(trust.title, "ur", "en_GB") in text
    xml = zipfile.ZipFile(io.BytesIO(docx.read_bytes())).read("word/document.xml").decode()
    assert 'w:val="ur" w:bidi="ur"' in xml and "<w:bidiVisual/>" in xml
    assert urdu_title in xml


def test_a_bilingual_summary_is_sent_in_both_languages(app, auth, make_conversation,
                                                      inbox):  # noqa: F811
    import email
    from email import policy

    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SECURITY="none",
                      MAIL_FROM="convo <convo@example.org>")
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    assert _edit(auth, ref, language="cy", also_in="en_GB").status_code == 302
    _issue(app, auth, ref)
    url = f"/c/{ref.id}/summary"
    assert auth.post(f"{url}/v1/send", data={"participant": [str(ref.participant_ids[0])]},
                     form_page=url).status_code == 302
    assert run_jobs(app) == 1
    [(_sender, _rcpts, raw)] = inbox.messages
    message = email.message_from_bytes(raw, policy=policy.default)
    welsh_subject = in_language(app, "cy", "Summary of our conversation: %(title)s "
                                "(version %(number)d)", html=False).split(":")[0]
    assert message["Subject"].startswith(welsh_subject)
    assert " / Summary of our conversation: " in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert text.index(in_language(app, "cy", "Please forward it to anyone on your side who "
                                  "needs to act on it.", html=False)) < text.index(
        "Please forward it to anyone on your side who needs to act on it.")
    html = message.get_body(("html",)).get_content()
    assert '<html lang="cy" dir="ltr">' in html
    assert '<div lang="cy" dir="ltr">' in html and '<div lang="en-GB" dir="ltr">' in html


def _run_sheet_text(app, auth, ref) -> str:  # type: ignore[no-untyped-def]
    """The run sheet asked for, drawn by the worker and handed out: its text."""
    base = f"/conversations/{ref.id}"
    assert auth.post(f"{base}/run-sheet", form_page=f"{base}/run-sheet").status_code == 302
    assert run_jobs(app) == 1
    sheet = auth.client.get(f"{base}/run-sheet.pdf")
    assert sheet.status_code == 200  # not asked for again: the page and the worker agree
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet.get_data())).pages)
    sheet.close()
    return text


def test_a_welsh_conversations_run_sheet_is_in_welsh(app, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    assert _edit(auth, ref, language="cy").status_code == 302
    text = _run_sheet_text(app, auth, ref)
    with app.app_context():
        from convo.questions.registry import registry
        from convo.questions.schema import text_in

        opening = registry().get("health").stages[0]
    assert text_in(opening.title, "cy", "en_GB") in text  # the set's words, in Welsh
    assert in_language(app, "cy", "Why we are meeting", html=False) in text
    assert in_language(app, "cy", "Run sheet: %(title)s", html=False).split("%")[0] in text


def test_a_welsh_facilitator_gets_an_english_conversations_run_sheet(app, auth,
                                                                     make_conversation):
    """The page (in the facilitator's Welsh) and the worker (in the conversation's English)
    agree on which sheet is made: it is handed out, not asked for again and again."""
    from convo.extensions import db
    from convo.models import Facilitator

    ref = make_conversation()
    with app.app_context():
        db.session.get(Facilitator, ref.facilitator.id).locale = "cy"
        db.session.commit()
    auth.sign_in_as(ref.facilitator)
    assert "Why we are meeting" in _run_sheet_text(app, auth, ref)
