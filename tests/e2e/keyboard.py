"""Moving through a page with the keyboard alone, checking that focus can always be seen.

`Keys.tab_to(selector)` presses Tab until the focused element matches; at every stop on the
way it records how the focused element (with its labels and parent) is drawn, and once focus
has moved on, how the same element is drawn without it.  They must differ: an outline, a
shadow, a background, a border or a colour.  The first time each kind of element is met, the
pixels around it are compared too, focused and not, so a style nobody can see doesn't pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import ElementHandle, Page

# How an element looks, as far as focus goes: itself, its labels and its parent (a radio
# styled as a chip shows focus on its label; a visually hidden input on its parent).
LOOK_JS = """el => {
  const parts = [el, ...(el.labels ? [...el.labels] : []), el.parentElement].filter(Boolean);
  return parts.map(node => {
    const s = getComputedStyle(node);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset, s.boxShadow,
            s.backgroundColor, s.borderTopColor, s.borderBottomColor, s.color,
            s.textDecorationLine].join(" ");
  }).join(" | ");
}"""

DESCRIBE_JS = """el => {
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "")
    .trim().replace(/\\s+/g, " ").slice(0, 60);
  const kind = el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "")
    + (el.className && typeof el.className === "string"
       ? "." + el.className.trim().split(/\\s+/).sort().join(".") : "");
  return {kind: kind, name: name, id: el.id || ""};
}"""

# The box around an element, widened to take in an outline or shadow, in viewport pixels.
AROUND_JS = """el => {
  el.scrollIntoView({block: "nearest", inline: "nearest"});
  const r = el.getBoundingClientRect();
  const pad = 8;
  const x = Math.max(0, r.left - pad), y = Math.max(0, r.top - pad);
  return {x: x, y: y,
          width: Math.min(window.innerWidth - x, r.width + 2 * pad),
          height: Math.min(window.innerHeight - y, r.height + 2 * pad)};
}"""


@dataclass
class Stop:
    handle: ElementHandle
    kind: str
    name: str
    look: str
    pixels: bytes | None


@dataclass
class Keys:
    """Keyboard-only travel through one page (and the pages it leads to)."""

    page: Page
    stops: int = 0
    invisible: list[str] = field(default_factory=list)
    pixel_checked: set[str] = field(default_factory=set)
    current: Stop | None = None

    def _focused(self) -> ElementHandle | None:
        handle = self.page.evaluate_handle("() => document.activeElement")
        element = handle.as_element()
        if element is None or element.evaluate("el => el === document.body"):
            return None
        return element

    def _arrive(self) -> None:
        element = self._focused()
        if element is None:
            self.current = None
            return
        described: dict[str, Any] = element.evaluate(DESCRIBE_JS)
        pixels = None
        if described["kind"] not in self.pixel_checked:
            pixels = self._shot(element)
        self.current = Stop(element, described["kind"], described["name"],
                            element.evaluate(LOOK_JS), pixels)
        self.stops += 1

    def _shot(self, element: ElementHandle) -> bytes | None:
        box = element.evaluate(AROUND_JS)
        if box["width"] < 1 or box["height"] < 1:
            return None
        return self.page.screenshot(clip=box, animations="disabled", caret="initial")

    def _leave(self) -> None:
        """Focus has moved on: the element must now look different from when it had focus."""
        stop = self.current
        self.current = None
        if stop is None:
            return
        try:
            if not stop.handle.evaluate("el => el.isConnected && el !== document.activeElement"):
                return  # replaced by a live update, or still focused
            look = stop.handle.evaluate(LOOK_JS)
        except Exception:  # the page navigated away
            return
        if look == stop.look:
            self.invisible.append(f"{stop.kind} «{stop.name}»: no visible change on focus")
            return
        if stop.pixels is not None:
            self.pixel_checked.add(stop.kind)
            if self._shot(stop.handle) == stop.pixels:
                self.invisible.append(f"{stop.kind} «{stop.name}»: focused and unfocused "
                                      "look the same on screen")

    def press(self, key: str) -> None:
        """Any key; Tab and Shift+Tab move focus and are checked like every other move."""
        if self.current is None:
            self._arrive()
        self.page.keyboard.press(key)
        self._leave()
        self._arrive()

    def tab(self, backwards: bool = False) -> None:
        self.press("Shift+Tab" if backwards else "Tab")

    def matches(self, selector: str) -> bool:
        return bool(self.page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector))

    def tab_to(self, selector: str, limit: int = 250, backwards: bool = False) -> None:
        """Tab until the focused element matches the CSS selector."""
        for _ in range(limit):
            self.tab(backwards)
            if self.matches(selector):
                return
        raise AssertionError(f"Tab never reached {selector!r} on {self.page.url} "
                             f"({limit} presses)")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def arrow_to(self, value: str, key: str = "ArrowDown", limit: int = 30) -> None:
        """Press an arrow key until the focused select or radio group has this value."""
        for _ in range(limit):
            if self.page.evaluate("() => document.activeElement.value") == value:
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"arrows never chose {value!r} on {self.page.url}")

    def follow(self, key: str = "Enter") -> None:
        """Press a key that loads another page (a link, a form's button) and wait for it."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.current = None
        self.page.wait_for_load_state()

    def assert_focus_always_visible(self) -> None:
        assert not self.invisible, "focus can't be seen on:\n  " + "\n  ".join(self.invisible)
