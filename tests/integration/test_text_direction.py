"""Words typed in any direction stay in their place, and invisible characters don't stop a
point being saved.

- A right-to-left override (U+202E) typed into a point or a party's name can never turn the
  words around it: wherever people's words are shown — the console, the shared screen,
  phones, the conversations list, the summary page, emails — they sit in an element that
  isolates their direction (<bdi>, or dir="auto"), or between Unicode isolates in plain text.
- A pasted invisible control character (U+0007, a bell) is taken out, the point is saved, and
  the writer is told which character went — from the console's script, a phone's script, and
  a plain form without one.
"""

from __future__ import annotations

from html.parser import HTMLParser

from flask import Flask

from tests.conftest import AuthActions, ConversationRef, page_text
from tests.forms import form_fields, with_changes

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}
OVERRIDE = "\u202e"


class _Isolation(HTMLParser):
    """Finds words holding a direction override that could turn other words: ones not inside
    an isolating element (<bdi>, an element with dir, a form control's own text), unless they
    are all the text of a block of their own (a table cell, a heading, a paragraph), where an
    override ends with the block."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area"}
    BLOCKS = {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt",
              "blockquote", "caption", "figcaption", "section", "header", "main"}
    OWN = {"textarea", "option", "title", "script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, isolating, texts, has child elements)
        self.stack: list[list] = []
        self.exposed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            if self.stack:
                self.stack[-1][3] = True
            return
        if self.stack:
            self.stack[-1][3] = True
        isolating = tag == "bdi" or tag in self.OWN or any(n == "dir" for n, _ in attrs)
        self.stack.append([tag, isolating, [], False, self.getpos()])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        name, isolating, texts, children, where = self.stack.pop()
        marked = [t for t in texts if OVERRIDE in t]
        if not marked or isolating:
            return
        whole = name in self.BLOCKS and not children and len([t for t in texts if t.strip()]) == 1
        if not whole:
            self.exposed.extend(f"{where}: <{name}> {t.strip()[:80]}" for t in marked)

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1][2].append(data)


def _exposed(html: str) -> list[str]:
    parser = _Isolation()
    parser.feed(html)
    return parser.exposed


def _phone(app: Flask, ref: ConversationRef) -> tuple[object, dict]:
    phone = app.test_client()
    page = phone.get(f"/j/{ref.join_code}").get_data(as_text=True)
    phone.post(f"/j/{ref.join_code}", data=with_changes(
        form_fields(page, f"/j/{ref.join_code}"), participant_id=str(ref.participant_ids[0])))
    return phone, form_fields(phone.get("/p").get_data(as_text=True), "/p/items")


def test_a_direction_override_never_reaches_past_its_own_words(app, client, auth,
                                                              make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = f"{base}/console"
    assert auth.submit(f"{base}/edit", f"{base}/edit", {
        "partnership_name": f"Riverside {OVERRIDE}Big Local"}).status_code == 302
    for kind in ("challenge", "action"):
        auth.post(f"{base}/items", data={"text": f"Parking {OVERRIDE}is hard", "kind": kind,
                                         "raised_by": "both"}, form_page=console)
    phone, fields = _phone(app, ref)
    phone.post("/p/items", data=with_changes(fields, text=f"Buses {OVERRIDE}stop at six"))
    pages = {"console": client.get(console), "conversation": client.get(base),
             "list": client.get("/conversations"),
             "phone": phone.get("/p"), "phone view": phone.get("/p/view?v=0")}
    for mode in ("items", "actions", "question"):
        auth.post(f"{base}/screen", data={"mode": mode}, form_page=console)
        pages[f"screen {mode}"] = client.get(f"/c/{ref.id}/screen")
    auth.post(f"{base}/close", form_page=console)
    pages["summary page"] = client.get(f"/c/{ref.id}/summary")
    pages["summary document"] = client.get(f"/c/{ref.id}/summary/preview")
    auth.post(f"{base}/screen", data={"mode": "summary"}, form_page=console)
    pages["screen summary"] = client.get(f"/c/{ref.id}/screen")
    found = {}
    for where, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, where
        assert OVERRIDE in html or where == "phone view", where  # kept as typed...
        found[where] = _exposed(html)
    for where, exposed in found.items():
        for line in exposed:
            print(f"{where}: {line}")
    assert not any(found.values()), found  # ...and held in their own place


def test_an_invisible_character_is_taken_out_and_the_writer_told(app, client, auth,
                                                                 make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    # The console's script.
    saved = auth.post(f"{base}/items", data={"text": "Ring the\x07 bell", "kind": "note",
                                             "raised_by": "both"},
                      form_page=f"{base}/console", headers=JSON)
    assert saved.status_code == 200
    assert "U+0007 (bell)" in saved.get_json()["note"]
    # A plain form: saved, and said on the next page.
    plain = auth.post(f"{base}/items", data={"text": "Esc\x1bape", "kind": "note",
                                             "raised_by": "both"},
                      form_page=f"{base}/console", follow_redirects=True)
    assert plain.status_code == 200
    assert "U+001B (escape)" in page_text(plain)
    # A phone's script.
    phone, fields = _phone(app, ref)
    added = phone.post("/p/items", data=with_changes(fields, text="Mind\x07 the gap"),
                       headers={"Accept": "application/json"})
    assert added.status_code in (200, 201) and "U+0007" in added.get_json()["note"]
    from sqlalchemy import select

    from convo.extensions import db
    from convo.models import Item

    with app.app_context():
        texts = set(db.session.scalars(select(Item.text)))
    assert texts == {"Ring the bell", "Escape", "Mind the gap"}
    # A text that only had invisible characters is empty, and refused as empty.
    empty = auth.post(f"{base}/items", data={"text": "\x07\x07", "kind": "note",
                                             "raised_by": "both"},
                      form_page=f"{base}/console", headers=JSON)
    assert empty.status_code == 422


def test_the_console_is_told_when_signed_out(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}/console/view?v=0"
    assert client.get(url).status_code == 200
    auth.sign_out()
    assert client.get(url).status_code == 401
    # A script's save is answered 401 too (never the sign-in page's HTML).
    assert client.post(f"/conversations/{ref.id}/agreement",
                       data={"csrf_token": auth.csrf("/sign-in")}, headers=JSON).status_code == 401
    # A page still goes to the sign-in page.
    assert client.get(f"/conversations/{ref.id}/console").status_code == 302
    assert AuthActions(app.test_client()).client.get(url).status_code == 401
