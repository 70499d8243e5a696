"""Reading a page's form as a browser would send it: every field's value, the hidden ones
included (the CSRF token, and the fingerprints of what was shown: convo.core.edits).

    fields = form_fields(html, "/conversations/1/agreement")
    fields["contacts"] = "Pat and Alex"
    client.post("/conversations/1/agreement", data=fields)
"""

from __future__ import annotations

import html as html_module
from html.parser import HTMLParser
from typing import Any


class _Form:
    def __init__(self, attrs: dict[str, str | None]) -> None:
        self.action = attrs.get("action") or ""
        self.id = attrs.get("id") or ""


class _Parser(HTMLParser):
    """Collects the controls of every form, with the form each belongs to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.controls: list[tuple[int | str | None, str, dict[str, str | None], list[Any]]] = []
        self._open: int | None = None
        self._text: list[str] | None = None
        self._select: list[Any] | None = None

    def _owner(self, attrs: dict[str, str | None]) -> int | str | None:
        return attrs.get("form") or self._open

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "form":
            self.forms.append(_Form(attrs))
            self._open = len(self.forms) - 1
        elif tag == "input":
            self.controls.append((self._owner(attrs), "input", attrs, []))
        elif tag == "textarea":
            self._text = []
            self.controls.append((self._owner(attrs), "textarea", attrs, self._text))
        elif tag == "select":
            self._select = []
            self.controls.append((self._owner(attrs), "select", attrs, self._select))
        elif tag == "option" and self._select is not None:
            self._select.append(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None
        elif tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def form_fields(page: str, action: str, page_url: str | None = None) -> dict[str, Any]:
    """The values the form posting to `action` would send now (a list where a name repeats).
    The first such form on the page; a form without an action posts to `page_url`."""
    parser = _Parser()
    parser.feed(page)
    index = next((n for n, form in enumerate(parser.forms)
                  if (html_module.unescape(form.action).split("#")[0] or page_url) == action),
                 None)
    assert index is not None, f"no form posting to {action}"
    form_id = parser.forms[index].id
    data: dict[str, Any] = {}

    def add(name: str, value: str) -> None:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name],
                                                                                      value]
        else:
            data[name] = value

    for owner, tag, attrs, extra in parser.controls:
        if owner != index and not (form_id and owner == form_id):
            continue
        name = attrs.get("name")
        if not name or "disabled" in attrs:
            continue
        if tag == "textarea":
            text = "".join(extra)
            add(name, text[1:] if text.startswith("\n") else text)
        elif tag == "select":
            chosen = next((o for o in extra if "selected" in o), extra[0] if extra else None)
            if chosen is not None:
                add(name, chosen.get("value") or "")
        else:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    value = attrs.get("value")
                    add(name, "on" if value is None else value)
                continue
            add(name, attrs.get("value") or "")
    return data


def with_changes(fields: dict[str, Any], changes: dict[str, Any] | None = None,
                 **more: Any) -> dict[str, Any]:
    """The form's fields with some changed; a value of None leaves a field out (an unticked
    box)."""
    result = dict(fields)
    for name, value in {**(changes or {}), **more}.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result
