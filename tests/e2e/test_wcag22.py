"""The WCAG 2.2 criteria axe cannot test, tested in the browser (issue 18):

- 2.4.11 focus not obscured: at every Tab stop on the pages with sticky or fixed parts, the
  focused element is not covered by them at all (stricter than AA's "not entirely");
- 2.5.8 target size: every control on the phone's pages is at least 24 × 24 CSS pixels, or
  its 24-pixel circle touches no other target (links inside a sentence are exempt);
- 1.4.10 reflow at 320 CSS pixels: the page never scrolls sideways; only data tables do, each
  inside a named, focusable region;
- 2.4.3 focus order: no positive tabindex, every Tab stop can be seen, Tab follows the
  reading order (on the phone, down the page; on the console and the summary page, along each
  row and down each column, back up only into a column further right) and Shift+Tab
  retraces it exactly;
- 1.4.12 text spacing: with the bookmarklet's values (line height 1.5, paragraphs 2em apart,
  letters 0.12em, words 0.16em) no text is clipped by a box that hides its overflow, no text
  spills out of a box of set height, no two pieces of text overlap, and nothing scrolls
  sideways: on the console, the summary page, the phones (join, following, scores, a point,
  the summary and approval), the facilitator's lists at 320 px and every view of the shared
  screen at 1280×720.  (Text inside a drawing (svg) is left out of the overlap check: its
  place is set by the drawing.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.harness import PHONE, Harness

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}

# Every element that takes part in sequential focus navigation, as the browser sees it (one
# stop for each group of radio buttons; nothing inside a closed <details>).
TAB_STOPS_JS = """() => { const radios = new Set();
  return [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter(el => el.tabIndex >= 0 && !el.disabled && el.type !== 'hidden'
          && el.checkVisibility({visibilityProperty: true}))
  .filter(el => { if (el.type !== 'radio') return true;
                  const group = (el.form ? el.form.id || 'form' : '') + '/' + el.name;
                  if (radios.has(group)) return false; radios.add(group); return true; })
  .length; }"""

# The focused element's box, and the boxes of the sticky or fixed things drawn over the page.
COVER_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const covers = [];
  for (const node of document.querySelectorAll('body *')) {
    const s = getComputedStyle(node);
    if ((s.position !== 'sticky' && s.position !== 'fixed') || node.contains(el)) continue;
    const c = node.getBoundingClientRect();
    if (c.width === 0 || c.height === 0 || s.visibility === 'hidden') continue;
    const x = Math.max(0, Math.min(r.right, c.right) - Math.max(r.left, c.left));
    const y = Math.max(0, Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top));
    if (x * y > 0) covers.push({cover: node.className || node.tagName, area: x * y,
                                whole: r.width * r.height, text: node.innerText.slice(0, 40)});
  }
  return {what: el.outerHTML.slice(0, 120), covers: covers};
}"""

TARGETS_JS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const all = [...document.querySelectorAll(sel)].filter(el => el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== 'hidden');
  // a radio or checkbox is drawn with its label: the label is the target
  const boxOf = el => {
    let r = el.getBoundingClientRect();
    const label = el.labels && el.labels[0];
    if (label && (el.type === 'radio' || el.type === 'checkbox')) {
      const l = label.getBoundingClientRect();
      r = {left: Math.min(r.left, l.left), top: Math.min(r.top, l.top),
           right: Math.max(r.right, l.right), bottom: Math.max(r.bottom, l.bottom)};
    }
    return {left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX,
            bottom: r.bottom + scrollY};
  };
  const inSentence = el => {
    if (el.tagName !== 'A') return false;
    const block = el.closest('p, li, dd, td, th');
    return !!block && block.innerText.trim().length > el.innerText.trim().length + 3;
  };
  const boxes = all.map(boxOf);
  const small = [];
  all.forEach((el, i) => {
    const b = boxes[i];
    const w = b.right - b.left, h = b.bottom - b.top;
    if ((w >= 24 && h >= 24) || inSentence(el) || el.closest('.visually-hidden')) return;
    // the spacing exception: a 24px circle on its centre meets no other target or circle
    const cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
    const clash = boxes.some((o, j) => {
      if (j === i || all[j].contains(el) || el.contains(all[j])) return false;
      const nx = Math.max(o.left, Math.min(cx, o.right)), ny = Math.max(o.top, Math.min(cy, o.bottom));
      const ow = o.right - o.left, oh = o.bottom - o.top;
      const ocx = (o.left + o.right) / 2, ocy = (o.top + o.bottom) / 2;
      const otherSmall = ow < 24 || oh < 24;
      return Math.hypot(cx - nx, cy - ny) < 12
          || (otherSmall && Math.hypot(cx - ocx, cy - ocy) < 24);
    });
    if (clash) small.push(el.outerHTML.slice(0, 100) + ` ${Math.round(w)}×${Math.round(h)}`);
  });
  return small;
}"""

REFLOW_JS = """() => {
  const page = document.documentElement;
  const wide = [...document.querySelectorAll('table')].map(t => {
    const region = t.closest('[role=region]');
    const name = region && (region.getAttribute('aria-label')
      || (region.getAttribute('aria-labelledby') || '').split(' ')
         .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim());
    return {table: (t.className || 'table') + ' ' + (t.caption ? t.caption.textContent.trim() : ''),
            region: !!region, named: !!name, focusable: !!region && region.tabIndex === 0,
            scrolls: !!region && ['auto', 'scroll'].includes(getComputedStyle(region).overflowX),
            fits: !region || region.getBoundingClientRect().right <= page.clientWidth + 1};
  });
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, tables: wide};
}"""

# What spills out sideways, for the message when the page does.
WIDE_JS = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
          && !el.closest('[role=region] table'))
  .slice(0, 8).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
                   + ' ' + Math.round(el.getBoundingClientRect().right) + ' px')"""

SPACING_CSS = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }"""

CLIPPED_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.innerText || !el.innerText.trim() || el.closest('.visually-hidden')) continue;
    if (el.getClientRects().length === 0) continue;
    const s = getComputedStyle(el);
    const clipsX = ['hidden', 'clip'].includes(s.overflowX);
    const clipsY = ['hidden', 'clip'].includes(s.overflowY);
    if ((clipsX && el.scrollWidth > el.clientWidth + 1)
        || (clipsY && el.scrollHeight > el.clientHeight + 1)
        || (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1))
      out.push(el.outerHTML.slice(0, 100));
  }
  return out;
}"""


# Text a fixed height lets spill out of its box (overflow left visible): the box's content is
# taller or wider than the box, and what spills runs over whatever comes next.
SPILLED_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.innerText || !el.innerText.trim() || el.closest('.visually-hidden, [hidden]')) continue;
    if (/^(svg|SELECT|TEXTAREA|INPUT|OPTION|TABLE|TBODY|THEAD|TR)$/i.test(el.tagName)) continue;
    const s = getComputedStyle(el);
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') continue;
    if (s.display.startsWith('inline') || s.display === 'contents' || el.clientHeight === 0) continue;
    if (el.scrollHeight <= el.clientHeight + 1) continue;
    // only a box whose height is set (an inline style, a rule, or a flex or grid track that
    // doesn't grow) can spill: put its height to auto and see whether it grows
    const before = el.getBoundingClientRect().height;
    const saved = el.style.getPropertyValue('height'), prio = el.style.getPropertyPriority('height');
    el.style.setProperty('height', 'auto', 'important');
    const free = el.getBoundingClientRect().height;
    el.style.setProperty('height', saved, prio);
    if (free > before + 1)
      out.push(`${el.outerHTML.slice(0, 100)} ${Math.round(before)} px tall, its text ${Math.round(free)} px`);
  }
  return out;
}"""

# Text boxes that overlap: the line boxes of every piece of visible text (each cut to what
# its scrolling or clipping boxes show), compared two by two.
OVERLAP_JS = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    if (!node.data.trim()) continue;
    const el = node.parentElement;
    // a drawing's words (svg) are checked on their own, below
    if (!el || el.closest('.visually-hidden, [hidden], script, style, template, option, '
                          + 'textarea, select, svg')) continue;
    // (not drawn: hidden, transparent, or inside a closed <details>)
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true,
                             contentVisibilityAuto: true})) continue;
    let clip = {l: -1e9, t: -1e9, r: 1e9, b: 1e9};
    for (let up = el; up && up !== document.body; up = up.parentElement) {
      const u = getComputedStyle(up);
      if (u.overflowX !== 'visible' || u.overflowY !== 'visible') {
        const c = up.getBoundingClientRect();
        clip = {l: Math.max(clip.l, c.left), t: Math.max(clip.t, c.top),
                r: Math.min(clip.r, c.right), b: Math.min(clip.b, c.bottom)};
      }
    }
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      const b = {l: Math.max(r.left, clip.l), t: Math.max(r.top, clip.t),
                 r: Math.min(r.right, clip.r), b: Math.min(r.bottom, clip.b)};
      if (b.r - b.l < 1 || b.b - b.t < 1) continue;
      const where = el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('');
      boxes.push({node, text: where + ' "' + node.data.trim().slice(0, 40) + '"', ...b});
    }
  }
  // A drawing's words (svg <text>) with the spacing applied: against each other (by more
  // than a quarter of a line, as a drawing sets its lines closer than a page does) and
  // against the bars and lines drawn there, other than a band the words sit wholly inside.
  const drawn = [];
  for (const svg of document.querySelectorAll('svg')) {
    if (!svg.checkVisibility() || svg.closest('.visually-hidden, [hidden]')) continue;
    const texts = [...svg.querySelectorAll('text')].map(t => ({t, r: t.getBoundingClientRect()}))
      .filter(x => x.r.width > 0 && x.t.textContent.trim());
    const shapes = [...svg.querySelectorAll('rect, line, circle, path, polygon')]
      .map(sh => ({sh, r: sh.getBoundingClientRect()}))
      // (an outline drawn round a circle or along a path is not its box: only filled ones)
      .filter(x => getComputedStyle(x.sh).fill !== 'none'
                   || (/^(rect|line)$/.test(x.sh.tagName) && getComputedStyle(x.sh).stroke !== 'none'));
    const name = t => 'svg text "' + t.textContent.trim().slice(0, 40) + '"';
    texts.forEach((a, i) => {
      for (const b of texts.slice(i + 1)) {
        const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (x > 1 && y > Math.min(a.r.height, b.r.height) / 4)
          drawn.push(`${name(a.t)} and ${name(b.t)} overlap by ${Math.round(x)}×${Math.round(y)} px`);
      }
      for (const s of shapes) {
        const inside = s.r.left <= a.r.left + 1 && s.r.right >= a.r.right - 1
                       && s.r.top <= a.r.top + 1 && s.r.bottom >= a.r.bottom - 1;
        const x = Math.min(a.r.right, s.r.right) - Math.max(a.r.left, s.r.left);
        const y = Math.min(a.r.bottom, s.r.bottom) - Math.max(a.r.top, s.r.top);
        if (!inside && x > 1 && y > a.r.height / 4)
          drawn.push(`${name(a.t)} runs into a ${s.sh.tagName} (${s.sh.getAttribute('class') || ''}) `
                     + `by ${Math.round(x)}×${Math.round(y)} px`);
      }
    });
  }
  boxes.sort((a, b) => a.t - b.t);
  const out = drawn.slice(0, 10);
  for (let i = 0; i < boxes.length && out.length < 10; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].t < a.b - 1; j++) {
      const o = boxes[j];
      if (o.node === a.node) continue;
      const x = Math.min(a.r, o.r) - Math.max(a.l, o.l), y = Math.min(a.b, o.b) - Math.max(a.t, o.t);
      if (x > 1 && y > 1)
        out.push(`${a.text} and ${o.text} overlap by ${Math.round(x)}×${Math.round(y)} px`);
    }
  }
  return out;
}"""


def tab_through(page: Page, limit: int = 120, key: str = "Tab") -> list[dict[str, Any]]:
    """Press Tab from the top of the page (Shift+Tab from the bottom) until focus comes back
    round (or `limit`), and return what covered the focused element at each stop."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    if key != "Tab":  # start beyond the last stop, at the foot of the page
        page.evaluate("() => { const end = document.createElement('span'); end.tabIndex = -1;"
                      " document.body.append(end); end.focus(); end.remove();"
                      " window.scrollTo(0, document.documentElement.scrollHeight); }")
    stops, seen, last = [], set(), None
    for _ in range(limit):
        page.keyboard.press(key)
        found = page.evaluate(COVER_JS)
        if found is None:
            break
        which = page.evaluate("() => (" + KEY_JS + ")(document.activeElement)")
        if which == last:
            continue  # a date or time field's own parts (day, month, year) take Tab in turn
        if which in seen:
            break
        seen.add(which)
        last = which
        stops.append(found)
    return stops


def assert_focus_never_covered(page: Page, name: str) -> int:
    """Forwards with Tab (sticky parts at the foot matter) and back with Shift+Tab (those at
    the top do)."""
    counted = 0
    for key in ("Tab", "Shift+Tab"):
        stops = tab_through(page, key=key)
        covered = [s for s in stops if s["covers"]]
        assert covered == [], f"{name}: focus under a sticky part at {len(covered)} of " \
                              f"{len(stops)} stops ({key}): {covered[:3]}"
        counted = max(counted, len(stops))
    return counted


PHONE_WIDTHS = (390, 320)


def assert_targets_big_enough(page: Page, name: str, widths: tuple[int, ...] = PHONE_WIDTHS,
                              ) -> None:
    """At each phone width (the page laid out afresh at each), every control is big enough or
    far enough from the others; the page is left at the width it had."""
    size = page.viewport_size
    assert size is not None
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": size["height"]})
            small = page.evaluate(TARGETS_JS)
            assert small == [], f"{name} at {width} px: {small}"
    finally:
        page.set_viewport_size(size)


def assert_reflows(page: Page, name: str) -> list[dict[str, Any]]:
    found = page.evaluate(REFLOW_JS)
    assert found["scrollWidth"] <= found["clientWidth"], f"{name}: the page scrolls sideways " \
        f"({found['scrollWidth']} px in {found['clientWidth']}): {page.evaluate(WIDE_JS)}"
    for table in found["tables"]:
        assert table["region"] and table["named"] and table["focusable"] and table["scrolls"] \
            and table["fits"], f"{name}: {table}"
    return found["tables"]


# Each element its own key (two links may read and look the same), kept for the page's life.
KEY_JS = """el => { window.__stopKeys = window.__stopKeys || new WeakMap();
  if (!window.__stopKeys.has(el)) window.__stopKeys.set(el, window.__stopCount = (window.__stopCount || 0) + 1);
  return (el.id || el.tagName) + '#' + window.__stopKeys.get(el); }"""

FOCUSED_JS = """() => { const KEY_OF = """ + KEY_JS + """; const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  return {key: KEY_OF(el), top: r.top + scrollY, bottom: r.bottom + scrollY,
          left: r.left + scrollX, right: r.right + scrollX, w: r.width, h: r.height,
          what: el.outerHTML.slice(0, 80),
          shown: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth}; }"""


def focus_stops(page: Page, key: str = "Tab", limit: int = 250) -> list[dict[str, Any]]:
    """Each element focus stops at, pressing Tab from the top of the page (or Shift+Tab from
    the foot), until focus comes back round."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    if key != "Tab":
        page.evaluate("() => { const end = document.createElement('span'); end.tabIndex = -1;"
                      " document.body.append(end); end.focus(); end.remove();"
                      " window.scrollTo(0, document.documentElement.scrollHeight); }")
    stops: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press(key)
        box = page.evaluate(FOCUSED_JS)
        if box is not None and stops and box["key"] == stops[-1]["key"]:
            continue  # a date or time field's own parts (day, month, year) take Tab in turn
        if box is None or box["key"] in seen:
            break
        seen.add(box["key"])
        stops.append(box)
    assert len(stops) < limit, "focus never came back round"
    return stops


def assert_focus_order(page: Page, name: str, one_column: bool) -> int:
    """2.4.3: no positive tabindex; every stop can be seen; Tab goes in reading order (on a
    phone, down the page; on a page of columns, along each row left to right and down each
    column, going back up only into a column further right); Shift+Tab goes exactly back."""
    assert page.evaluate("() => [...document.querySelectorAll('[tabindex]')]"
                         ".filter(el => el.tabIndex > 0).length") == 0, name
    stops = focus_stops(page)
    assert len(stops) >= 2, name
    for before, box in zip([None, *stops], stops):
        assert box["w"] > 0 and box["h"] > 0 and box["shown"], f"{name}: {box['what']}"
        if before is None:
            continue
        if one_column:
            assert box["top"] >= before["top"] - 4, f"{name}: focus went back up to {box['what']}"
            continue
        shared = min(before["bottom"], box["bottom"]) - max(before["top"], box["top"])
        if shared > min(before["h"], box["h"]) / 2:  # the same row: left to right
            assert box["left"] >= before["left"] - 4, \
                f"{name}: focus went back left along a row, {before['what']} to {box['what']}"
        elif box["top"] < before["top"] - 4:  # up: only to the top of a column further right
            assert box["left"] >= before["right"] - 4, \
                f"{name}: focus went back up, {before['what']} to {box['what']}"
    back = focus_stops(page, "Shift+Tab")
    assert [b["key"] for b in back] == [s["key"] for s in reversed(stops)], \
        f"{name}: Shift+Tab doesn't retrace Tab: " \
        f"{[b['what'][:50] for b in back]} {[s['what'][:50] for s in reversed(stops)]}"
    return len(stops)


def assert_text_spacing(page: Page, name: str) -> None:
    # a constructed style sheet: the pages' Content-Security-Policy refuses a <style> element
    page.evaluate("css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
                  " document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }",
                  SPACING_CSS)
    assert page.evaluate("() => getComputedStyle(document.body).wordSpacing") != "0px"
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")  # pages that fit themselves
    page.wait_for_timeout(100)
    for check in (CLIPPED_JS, SPILLED_JS, OVERLAP_JS):
        found = page.evaluate(check)
        assert found == [], f"{name}: " + "; ".join(found)
    width = page.evaluate("() => [document.documentElement.scrollWidth,"
                          " document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name}: {width}"


# --- set-up ---------------------------------------------------------------------------------


def phone_with_both_sides(e2e: Harness, viewport: dict[str, int] = PHONE) -> tuple[Page, Any]:
    """A live conversation; Pat joins on a phone and rates; the other side's scores are in
    and shared, so Pat's scores page has the both-sides table too."""
    from convo.extensions import db
    from convo.models import Conversation
    from convo.ratings import service as ratings

    owner = e2e.facilitator("Wren Wcag")
    conversation_id, code = e2e.conversation(owner)
    pat = e2e.page("phone: Pat (WCAG 2.2)", viewport, phone=True)
    flows.join(e2e, pat, code, "Pat Okafor")
    alex = e2e.page("phone: Alex (WCAG 2.2)", PHONE, phone=True)
    flows.join(e2e, alex, code, "Dr Alex Moore")
    for phone, score in ((alex, "4"), (pat, "2")):
        phone.goto("/p/ratings")
        for fieldset in phone.locator("fieldset.rate").filter(has=phone.locator(".scale")).all():
            fieldset.get_by_role("radio", name=re.compile(rf"^{score}\b")).check()
        phone.get_by_role("button", name="Save my scores").click()
        expect(phone.locator("[data-save-status]")).to_have_text("Saved.")
    with e2e.server.app.app_context():
        ratings.reveal(db.session.get(Conversation, conversation_id), True)
        db.session.commit()
    return pat, (owner, conversation_id, code)


def test_focus_is_never_under_the_saved_bar_on_the_phones_scores(e2e: Harness) -> None:
    pat, _ = phone_with_both_sides(e2e)
    pat.goto("/p/ratings")
    pat.locator("fieldset.rate").first.get_by_role("radio", name=re.compile(r"^3\b")).check()
    expect(pat.locator("[data-save-status]")).to_have_text("Saved.")  # the bar is showing
    stops = assert_focus_never_covered(pat, "phone: scores, Saved. bar showing")
    assert stops >= 10
    e2e.check(pat, "phone: scores, focus clear of the Saved. bar")


def test_phone_pages_targets_reflow_order_and_spacing(e2e: Harness) -> None:
    pat, (owner, conversation_id, code) = phone_with_both_sides(e2e)
    pat.goto("/p")
    pat.get_by_role("textbox", name="Your point").fill("The bus to the hub stops on Sundays")
    pat.get_by_role("radio", name="A challenge").check()
    pat.get_by_role("button", name="Add my point").click()
    expect(pat.locator("#my-items")).to_contain_text("stops on Sundays")
    edit_url = pat.locator("#my-items a[href*='/p/items/']").first.get_attribute("href")
    pages = {"phone: following": "/p", "phone: scores and both sides": "/p/ratings",
             "phone: change a point": edit_url, "phone: the summary": "/p/summary"}
    for name, url in pages.items():
        response = pat.goto(url)
        assert response is not None and response.status == 200, (name, url)
        e2e.check(pat, name)
        assert_targets_big_enough(pat, name)
        assert assert_focus_order(pat, name, one_column=True) == pat.evaluate(TAB_STOPS_JS), name
        assert_focus_never_covered(pat, name)
    # no connection: the sticky bar at the top says so, and focus stays clear of it too
    pat.goto("/p")
    pat.context.set_offline(True)
    expect(pat.locator("#connection")).to_be_visible()
    stops = assert_focus_never_covered(pat, "phone: following, no connection")
    assert stops >= 5
    pat.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    e2e.check(pat, "phone: no connection, focus clear of the bar")
    pat.context.set_offline(False)
    expect(pat.locator("#connection")).to_be_hidden()

    # before joining: the join and "who are you" pages
    fresh = e2e.page("phone: joining (WCAG 2.2)", PHONE, phone=True)
    fresh.goto("/join")
    assert_targets_big_enough(fresh, "phone: join")
    assert_focus_order(fresh, "phone: join", one_column=True)
    fresh.get_by_label("Join code").fill(code.lower().replace("-", ""))
    fresh.get_by_role("button", name="Join").click()
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Who are you?")
    assert_targets_big_enough(fresh, "phone: who are you")
    assert_focus_order(fresh, "phone: who are you", one_column=True)

    # reflow at 320 px, and text spacing, on the same pages
    narrow = e2e.page("phone at 320 px (WCAG 2.2)", NARROW, phone=True,
                      storage_state=pat.context.storage_state())
    for name, url in pages.items():
        narrow.goto(url)
        tables = assert_reflows(narrow, name + " at 320 px")
        if url == "/p/ratings":
            assert tables, "the both-sides table is on the page"
            narrow.locator("#both-sides").scroll_into_view_if_needed()
            e2e.check(narrow, "phone at 320 px: both sides' scores, only the table scrolls")
        assert_text_spacing(narrow, name + " with wider text spacing")
    joining = e2e.page("phone at 320 px, joining (WCAG 2.2)", NARROW, phone=True)
    joining.goto("/join")
    assert_reflows(joining, "phone: join at 320 px")
    assert_text_spacing(joining, "phone: join with wider text spacing")


def _targets_state(e2e: Harness, page: Page, name: str) -> None:
    """One more page state of a phone: held to the harness (axe, HTML, labels) and its
    controls to 2.5.8 at 390 and 320 px."""
    e2e.check(page, name)
    assert_targets_big_enough(page, name)


def test_every_phone_page_state_has_targets_big_enough(e2e: Harness) -> None:
    """2.5.8 on the phone's other states: the join page with each error, the waiting page, the
    approval page after approving, the "removed" and "you have left" pages, the page after
    the close, and every page of the relationship mapping's phones (/m/...)."""
    from convo.extensions import db
    from convo.live import devices
    from convo.models import Conversation, Device, Participant, Partnership
    from convo.partnerships import mapping

    owner = e2e.facilitator("Tara Targets")
    conversation_id, code = e2e.conversation(owner)

    # the join page: nothing typed, then a code that opens nothing
    phone = e2e.page("phone: joining (target size)", PHONE, phone=True)
    phone.goto("/join")
    phone.get_by_role("button", name="Join").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    _targets_state(e2e, phone, "phone: join, no code typed")
    phone.get_by_label("Join code").fill("ZZZZ-ZZZZ")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("That code doesn't work")
    _targets_state(e2e, phone, "phone: join, a code that doesn't work")

    # Sam joins; a second phone choosing Sam waits for the facilitator's OK
    flows.join(e2e, phone, code, "Sam Reid")
    second = e2e.page("second phone: Sam Reid (target size)", PHONE, phone=True)
    flows.join_as_someone_joined(second, code, "Sam Reid")
    _targets_state(e2e, second, "phone: waiting to be let in")
    # "That isn't me": this phone leaves, and the join page says so
    second.get_by_role("button", name="That isn't me: choose again").click()
    expect(second.locator(".notices")).to_contain_text(
        "You have left the conversation")
    _targets_state(e2e, second, "phone: you have left")

    # the approval page, before and after approving for the side
    phone.goto("/p/summary")
    phone.get_by_role("button", name=re.compile("Approve on behalf of")).click()
    expect(phone.get_by_text("Your side's approval is recorded")).to_be_visible()
    _targets_state(e2e, phone, "phone: the summary, approved")

    # removed by the facilitator: the next page says so
    with e2e.server.app.app_context():
        sam = db.session.scalar(db.select(Participant).where(
            Participant.conversation_id == conversation_id, Participant.name == "Sam Reid"))
        for device in db.session.scalars(db.select(Device).where(
                Device.participant_id == sam.id, Device.revoked_at.is_(None))):
            devices.revoke(device)
        db.session.commit()
    response = phone.goto("/p")
    assert response is not None and response.status == 403
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "This phone or computer was removed")
    _targets_state(e2e, phone, "phone: removed by the facilitator")

    # after the close: the following page, read only
    flows.join(e2e, phone, code, "Pat Okafor")
    with e2e.server.app.app_context():
        from convo.conversations import service
        service.close(db.session.get(Conversation, conversation_id))
        db.session.commit()
    phone.goto("/p")
    _targets_state(e2e, phone, "phone: following, after the close")

    # the relationship mapping's phones
    with e2e.server.app.app_context():
        from convo.models import Facilitator
        partnership = db.session.get(
            Partnership, db.session.get(Conversation, conversation_id).partnership_id)
        partnership.criteria = "trust,respect"
        found = mapping.start(partnership, db.session.get(Facilitator, owner.id))
        map_code, session_id = found.code, found.id
        db.session.commit()
    member = e2e.page("member's phone (target size)", PHONE, phone=True)
    response = member.goto("/m/scores")
    assert response is not None and response.status == 403
    _targets_state(e2e, member, "mapping: not joined yet")
    response = member.goto("/m/ZZZZZZZZ")
    assert response is not None and response.status == 404
    _targets_state(e2e, member, "mapping: a code that doesn't work")
    member.goto(f"/m/{map_code}")
    _targets_state(e2e, member, "mapping: join")
    member.get_by_role("button", name="Join").click()
    expect(member.locator(".error-summary")).to_be_visible()
    _targets_state(e2e, member, "mapping: join, no name typed")
    member.get_by_label("Your first name, or what people call you").fill("Pat")
    member.get_by_role("button", name="Join").click()
    expect(member.get_by_role("heading", name="Your scores")).to_be_visible()
    _targets_state(e2e, member, "mapping: scores to give")
    member.get_by_role("group", name="Trust").first.get_by_label("4", exact=True).check()
    member.get_by_role("button", name="Save my scores").click()
    expect(member.get_by_role("status")).to_contain_text("Your scores are saved")
    _targets_state(e2e, member, "mapping: scores saved")
    with e2e.server.app.app_context():
        from convo.models import MappingSession
        mapping.show(db.session.get(MappingSession, session_id))
        db.session.commit()
    member.reload()
    expect(member.get_by_role("heading", name="Everyone's scores")).to_be_visible()
    _targets_state(e2e, member, "mapping: everyone's scores")
    with e2e.server.app.app_context():
        mapping.close(db.session.get(MappingSession, session_id))
        db.session.commit()
    response = member.reload()
    assert response is not None and response.status == 410
    _targets_state(e2e, member, "mapping: finished")


def test_facilitator_pages_reflow_at_320_and_keep_a_sensible_focus_order(e2e: Harness) -> None:
    owner = e2e.facilitator("Reflow Admin")
    with e2e.server.app.app_context():
        from convo.extensions import db
        from convo.models import Facilitator
        person = db.session.get(Facilitator, owner.id)
        person.is_admin = True
        db.session.commit()
    conversation_id, code = e2e.conversation(owner)
    page = e2e.page("facilitator at 320 px (WCAG 2.2)", NARROW)
    flows.sign_in(e2e, page, owner)
    with e2e.server.app.app_context():
        from convo.conversations import capture
        from convo.extensions import db
        from convo.models import Conversation
        conversation = db.session.get(Conversation, conversation_id)
        partnership_id = conversation.partnership_id
        for n, text in enumerate(("Share the health survey with every household on the estate",
                                  "Book the hall for the March drop-in")):
            capture.add(conversation, client_id=f"wcag-{n}", text=text, kind="action",
                        raised_by="both", stage_id=None, question_id=None,
                        author=capture.Author(facilitator_id=owner.id))
        db.session.commit()
    pages = {
        "conversations list": "/conversations",
        "admin: facilitators": "/admin/facilitators",
        "partnerships list": "/partnerships",
        "partnership: map table": f"/partnerships/{partnership_id}",
        "partnership: action tracker": f"/partnerships/{partnership_id}/actions",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url)
        tables = assert_reflows(page, name)
        assert tables, f"{name}: a data table to scroll"
        assert_text_spacing(page, name + " with wider text spacing")
        e2e.check(page, f"{name} at 320 px")
    wide = e2e.page("facilitator: focus order (WCAG 2.2)",
                    storage_state=page.context.storage_state())
    for name, url in (("console", f"/conversations/{conversation_id}/console"),
                      ("summary", f"/c/{conversation_id}/summary")):
        response = wide.goto(url)
        assert response is not None and response.status == 200, url
        stops = assert_focus_order(wide, name, one_column=False)
        assert stops == wide.evaluate(TAB_STOPS_JS), f"{name}: Tab missed some of the page"
        if name == "summary":  # the fixed "Saved." box shows once something is saved
            wide.locator('textarea[form="writing-form"]').first.fill("Both sides came with open minds.")
            expect(wide.locator("#writing-form [data-save-status]")).to_have_text("Saved.")
        assert_focus_never_covered(wide, name)
        e2e.check(wide, f"{name}: after tabbing through")
        assert_text_spacing(wide, name + " with wider text spacing")
    # the summary page after the close, where it is written, approved and issued
    with e2e.server.app.app_context():
        from convo.conversations import service
        service.close(db.session.get(Conversation, conversation_id))
        db.session.commit()
    wide.goto(f"/c/{conversation_id}/summary")
    stops = assert_focus_order(wide, "summary after the close", one_column=False)
    assert stops == wide.evaluate(TAB_STOPS_JS) and stops >= 20, stops
    assert_focus_never_covered(wide, "summary after the close")
    e2e.check(wide, "summary after the close: after tabbing through")


def test_text_spacing_on_the_shared_screen(e2e: Harness) -> None:
    """1.4.12 on the shared screen at 1280×720, view by view: with the wider spacing nothing
    is cut off, spills out of its box or runs into other text (the screen makes its type
    smaller to fit, as it does for any other screen)."""
    from convo.conversations import capture
    from convo.extensions import db
    from convo.models import Conversation

    _pat, (owner, conversation_id, code) = phone_with_both_sides(e2e)
    with e2e.server.app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        author = capture.Author(facilitator_id=owner.id)
        for n, (kind, text) in enumerate((
                ("challenge", "The surgery's phone line is engaged every morning at eight, "
                              "so people give up and go to the walk-in centre instead."),
                ("opportunity", "The community hub has a free room on Tuesday mornings."),
                ("strength", "The health visitors already know most of the families."),
                ("action", "Share the health survey with every household on the estate"),
                ("action", "Book the hall for the March drop-in"))):
            capture.add(conversation, client_id=f"spacing-{n}", text=text, kind=kind,
                        raised_by=("partnership", "agency", "both")[n % 3],
                        stage_id=conversation.current_stage_id if kind != "action" else "actions",
                        question_id=None, author=author)
        conversation.contacts = "Pat Okafor for the partnership; Dr Alex Moore for the PCN."
        db.session.commit()

    def show(expected: str, **values: Any) -> None:
        with e2e.server.app.app_context():
            conversation = db.session.get(Conversation, conversation_id)
            for key, value in values.items():
                setattr(conversation, key, value)
            conversation.version += 1
            conversation.phone_version = conversation.version  # as state.bump
            db.session.commit()
        expect(screen.locator("main")).to_contain_text(expected)
        screen.wait_for_timeout(300)  # screen.js fits the view as it swaps it in

    facilitator = e2e.page("facilitator (shared screen's owner)")
    flows.sign_in(e2e, facilitator, owner)
    screen = e2e.page("shared screen 1280×720 (text spacing)", {"width": 1280, "height": 720},
                      storage_state=facilitator.context.storage_state())
    screen.goto(f"/c/{conversation_id}/screen")
    views = [
        ("the question", "Stage", {"screen_mode": "question"}),
        ("what we have heard", "What we have heard", {"screen_mode": "items", "screen_page": 0}),
        ("agreed actions", "Agreed actions", {"screen_mode": "actions"}),
        ("join", "Join on your own phone", {"screen_mode": "join"}),
        ("both sides' scores", "How well are we working together", {"screen_mode": "ratings"}),
        ("the draft summary", "Draft summary", {"screen_mode": "summary", "screen_page": 0}),
        ("welcome", "Welcome", {"status": "upcoming", "screen_mode": "question"}),
        ("thanks", "Thank you for taking part", {"status": "closed"}),
    ]
    for name, expected, values in views:
        show(expected, **values)
        assert_text_spacing(screen, f"shared screen at 1280×720, {name}, wider text spacing")
    show(code.split("-")[0], status="live", screen_mode="join")


def test_the_checks_find_what_they_look_for(e2e: Harness) -> None:
    """Each check on a page made to fail it, so a check that can't fail doesn't pass."""
    page = e2e.page("made to fail (WCAG 2.2)", NARROW)
    page.set_content("""<!doctype html><html lang="en"><title>x</title><body style="margin:0">
      <p><a href="#a">A link inside a sentence is exempt from the target size</a> here.</p>
      <button id="tiny1" style="width:10px;height:10px;padding:0;border:0"></button><button
       id="tiny2" style="width:10px;height:10px;padding:0;border:0"></button>
      <table><tr><td style="white-space:nowrap">A table far wider than three hundred and twenty
        pixels, with no region round it at all</td></tr></table>
      <p style="height:1.2em;overflow:hidden">Words that will not fit once the spacing grows
        wider and the lines get taller than the box lets them be, so they are cut off.</p>
      <div style="height:1.2em"><p style="margin:0">Words in a box of fixed height that spill
        out of it onto the next line of text once the spacing is wider.</p></div>
      <p style="margin:0">The text the spilling words run into.</p>
      <svg width="300" height="40" role="img" aria-label="x"><text x="0" y="20"
        font-size="16">A label drawn too long</text><rect class="bar" x="120" y="5" width="100"
        height="20" fill="navy"/></svg>
      <button style="position:fixed;bottom:0;left:0;width:100%;height:200px">Bar</button>
      <input id="under" style="position:absolute;top:560px">
    </body></html>""")
    small = page.evaluate(TARGETS_JS)
    assert len(small) == 2 and "tiny1" in small[0] and "tiny2" in small[1]
    found = page.evaluate(REFLOW_JS)
    assert found["scrollWidth"] > found["clientWidth"]
    assert found["tables"] == [{"table": "table ", "region": False, "named": False,
                                "focusable": False, "scrolls": False, "fits": True}]
    page.evaluate("css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
                  " document.adoptedStyleSheets = [sheet]; }", SPACING_CSS)
    assert any("overflow:hidden" in html for html in page.evaluate(CLIPPED_JS))
    spilled = page.evaluate(SPILLED_JS)
    assert len(spilled) == 1 and "1.2em" in spilled[0], spilled
    overlaps = page.evaluate(OVERLAP_JS)
    assert any("run into" in o and "spill" in o for o in overlaps), overlaps
    assert any('"A label drawn too long" runs into a rect (bar)' in o for o in overlaps), overlaps
    page.focus("#under")
    assert page.evaluate(COVER_JS)["covers"], "the fixed bar covers the field"
    # focus order: a row drawn the other way round from its source, and a column drawn above
    # the one before it
    for body in ('<div style="display:flex;flex-direction:row-reverse;justify-content:flex-end">'
                 '<button>First in the source</button><button>Second</button></div>',
                 '<div style="display:flex;flex-direction:column-reverse">'
                 '<button>First in the source</button><button>Second</button></div>'):
        page.set_content(f'<!doctype html><html lang="en"><title>x</title><body>{body}</body>'
                         '</html>')
        with pytest.raises(AssertionError, match="went back"):
            assert_focus_order(page, "made to fail", one_column=False)
