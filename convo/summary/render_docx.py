"""The summary as a Word document: `render_docx(summary) -> bytes`.

A pure function of a Summary (plain data): no database, no request, no network.  The same
content and reading order as the PDF, written with Word's own built-in styles so that a
recipient can edit it without fighting it: Title and Subtitle, Heading 1-3, Normal, List
Bullet, one built-in table style ("Light List Accent 1") whose header row repeats on every
page, Header and Footer with real PAGE and NUMPAGES fields.  The look (font, colours,
spacing) lives in those styles and in the document theme, never on individual paragraphs,
so "apply style" and "new paragraph" behave as a Word user expects.

Body font: Arial.  The Word file exists to be edited and forwarded, so it uses the sans-serif
that every recipient has (Windows, macOS, Office on the web; LibreOffice draws it with the
metric-compatible Liberation Sans), and that NHS and council documents already use.  The
PDF embeds its own font; both are plain, open sans-serifs.  The chart is the shared screen's
SVG (convo.ratings.chart), rasterised by resvg (a self-contained PyPI wheel: no
browser, no network, no system library) with the PDF's Noto Sans, and it carries its text
alternative as Word alt text; its table follows it.  (The PDF draws the same scores as bars
inside its ratings table.)

Text from people is made safe for XML (control characters dropped), keeps emoji, `&`,
quotes and markup characters as plain text, and marks right-to-left runs and paragraphs
so Hebrew or Arabic names read correctly.
"""

from __future__ import annotations

import functools
import io
import os
import re
import unicodedata
import zipfile
from datetime import timezone
from collections.abc import Iterable, Sequence
from typing import Any

from babel import UnknownLocaleError
from babel.lists import format_list
from babel.numbers import format_decimal
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor

from convo.summary.model import (ActionRow, PartyPeople, RatingsBlock, RelationshipView,
                                 Section, Summary)

__all__ = ["render_docx", "chart_png", "clean_text"]

# ---------------------------------------------------------------------------------------------
# Look: one place.  Colours are the chart's (convo.ratings.chart).

FONT = "Arial"
NAVY = "1B3A4B"        # the partnership's colour in the chart; headings and table headers
ORANGE = "9C4300"      # the agency's colour in the chart
TEXT = "0B0C0C"
MUTED = "505A5F"       # 7:1 on white
RULE = "B1B4B6"

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)  # A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = Cm(2.3), Cm(2.4), Cm(2.2)
HEADER_DISTANCE = FOOTER_DISTANCE = Cm(1.1)
TEXT_WIDTH = Emu(PAGE_WIDTH - 2 * MARGIN_X)  # 16.4 cm

TABLE_STYLE = "Light List Accent 1"
CHART_DPI = 192  # 2x a 96-dpi screen at the printed width: crisp on screen and on paper

# Lines a table row may hold before it is allowed to break across pages (a row taller than a
# page that may not break is cut off by Word).
_MAX_UNSPLIT_LINES = 28

# ---------------------------------------------------------------------------------------------
# Text made safe for XML.

# C0 controls other than tab, newline and carriage return; DEL and C1 controls (but NEL, a
# newline); lone surrogates; the two non-characters XML forbids.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t]*\n[ \t]*")
_BLANK_LINES = re.compile(r"\n{2,}")


def clean_text(value: object) -> str:
    """Text Word's XML can hold: control characters removed, newlines normalised to "\\n";
    tabs, emoji, right-to-left text, `&`, quotes and angle brackets kept as they are."""
    text = _INVALID.sub("", "" if value is None else str(value))
    return _SPACES.sub("\n", _NEWLINE.sub("\n", text)).strip()


def _lines(value: object) -> list[str]:
    return [line for line in clean_text(value).split("\n") if line.strip()]


def _one_line(value: object) -> str:
    return " ".join(_lines(value))


def _is_rtl_char(ch: str) -> bool | None:
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return True
    if kind == "L":
        return False
    return None


def _first_strong_rtl(text: str) -> bool:
    """Like HTML's dir="auto": the first letter with a direction decides."""
    if text.isascii():
        return False
    for ch in text:
        rtl = _is_rtl_char(ch)
        if rtl is not None:
            return rtl
    return False


def _segments(text: str) -> list[tuple[str, bool]]:
    """Split text into runs of one direction; neutral characters stay with the run before."""
    if text.isascii():
        return [(text, False)]
    segments: list[tuple[str, bool]] = []
    current: list[str] = []
    current_rtl: bool | None = None
    for ch in text:
        rtl = _is_rtl_char(ch)
        if rtl is not None and current_rtl is not None and rtl != current_rtl and current:
            segments.append(("".join(current), current_rtl))
            current = []
        if rtl is not None:
            current_rtl = rtl
        current.append(ch)
    if current:
        segments.append(("".join(current), bool(current_rtl)))
    return segments


# ---------------------------------------------------------------------------------------------
# The chart as a PNG.

_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
              os.path.expanduser("~/.local/share/fonts"))
_CHART_FAMILIES = ("NotoSans-", "DejaVuSans")


@functools.cache
def _chart_fonts() -> tuple[str, ...]:
    """The font files resvg may draw the chart with: Noto Sans (the chart's first choice) and
    DejaVu Sans, then the Noto Sans script families (Hebrew, Arabic, Devanagari, ...) as
    fallbacks.  Regular faces come first: resvg falls back to the first face that has a glyph."""
    found: list[str] = []
    for root in _FONT_DIRS:
        if not os.path.isdir(root):
            continue
        for folder, _dirs, files in os.walk(root):
            found.extend(os.path.join(folder, name) for name in files
                         if name.lower().endswith((".ttf", ".otf"))
                         and name.startswith(("NotoSans", "DejaVuSans", "NotoColorEmoji",
                                              "NotoEmoji"))
                         and "Mono" not in name and "Condensed" not in name
                         and "Display" not in name)

    def order(path: str) -> tuple[int, int, str]:
        name = os.path.basename(path)
        primary = 0 if name.startswith(_CHART_FAMILIES) else 1
        regular = 0 if re.search(r"(-Regular|DejaVuSans)\.", name) else 1
        return (primary, regular, name)

    return tuple(sorted(set(found), key=order))


def chart_png(svg: str, width_px: int) -> bytes:
    """Rasterise one of convo's chart SVGs to a PNG width_px wide.  Uses resvg: text is shaped
    with HarfBuzz-like shaping, right-to-left text is ordered, missing glyphs fall back to
    other fonts; nothing is fetched (the charts reference no external resources)."""
    import resvg_py

    fonts = _chart_fonts()
    options: dict[str, Any] = {"svg_string": svg, "width": int(width_px),
                               "background": "#ffffff"}
    if fonts:
        options.update(skip_system_fonts=True, font_files=list(fonts),
                       sans_serif_family="Noto Sans" if any("NotoSans-" in f for f in fonts)
                       else "DejaVu Sans")
    return bytes(resvg_py.svg_to_bytes(**options))


# ---------------------------------------------------------------------------------------------
# The styled, empty document every summary starts from (built once per process).

_THEME = {"accent1": NAVY, "accent2": ORANGE, "tx2": NAVY, "text2": NAVY,
          "dk2": NAVY, "hyperlink": "1D70B8"}


def _hex_mix(colour: str, tint: float | None = None, shade: float | None = None) -> str:
    rgb = [int(colour[i:i + 2], 16) for i in (0, 2, 4)]
    if tint is not None:
        rgb = [round(c * tint + 255 * (1 - tint)) for c in rgb]
    if shade is not None:
        rgb = [round(c * shade) for c in rgb]
    return "".join(f"{max(0, min(255, c)):02X}" for c in rgb)


def _recolour(root: Any) -> None:
    """Give every theme-coloured property in the styles a matching explicit value, so Word
    (which reads the theme) and LibreOffice (which reads the value) show the same colours."""
    for el in root.iter():
        for colour_attr, theme_attr, tint_attr, shade_attr in (
                ("color", "themeColor", "themeTint", "themeShade"),
                ("fill", "themeFill", "themeFillTint", "themeFillShade")):
            theme = el.get(qn(f"w:{theme_attr}"))
            if theme not in _THEME:
                continue
            tint = el.get(qn(f"w:{tint_attr}"))
            shade = el.get(qn(f"w:{shade_attr}"))
            el.set(qn(f"w:{colour_attr}"), _hex_mix(
                _THEME[theme], int(tint, 16) / 255 if tint else None,
                int(shade, 16) / 255 if shade else None))


def _theme_xml(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    text = re.sub(r'(<a:accent1>\s*<a:srgbClr val=")[0-9A-Fa-f]{6}', rf"\g<1>{NAVY}", text)
    text = re.sub(r'(<a:accent2>\s*<a:srgbClr val=")[0-9A-Fa-f]{6}', rf"\g<1>{ORANGE}", text)
    text = re.sub(r'(<a:dk2>\s*<a:srgbClr val=")[0-9A-Fa-f]{6}', rf"\g<1>{NAVY}", text)
    text = re.sub(r'(<a:(?:major|minor)Font>\s*<a:latin typeface=")[^"]*', rf"\g<1>{FONT}", text)
    text = re.sub(r'(<a:(?:major|minor)Font>\s*<a:latin typeface="[^"]*"[^>]*>\s*'
                  r'<a:ea typeface="[^"]*"[^>]*>\s*<a:cs typeface=")[^"]*', rf"\g<1>{FONT}", text)
    return text.encode("utf-8")


def _explicit_fonts(root: Any) -> None:
    """Replace theme font references with Arial (for LibreOffice; Word's theme says the same)."""
    for fonts in root.iter(qn("w:rFonts")):
        for attr, theme_attr in (("ascii", "asciiTheme"), ("hAnsi", "hAnsiTheme"),
                                 ("cs", "cstheme")):
            if fonts.get(qn(f"w:{theme_attr}")) is not None:
                del fonts.attrib[qn(f"w:{theme_attr}")]
            fonts.set(qn(f"w:{attr}"), FONT)


def _child(parent: Any, tag: str, successors: Sequence[str] = (), **attrs: str) -> Any:
    """The parent's child with this tag (made, in schema order, if missing), attributes set."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        if successors and hasattr(parent, "insert_element_before"):
            parent.insert_element_before(el, *successors)
        else:
            parent.append(el)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


_RPR_AFTER_SZCS = ("w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                   "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                   "w:specVanish", "w:oMath")


def _style_font(style: Any, size: float | None = None, colour: str | None = None,
                bold: bool | None = None, italic: bool | None = None) -> None:
    font = style.font
    if size is not None:
        font.size = Pt(size)
        _child(style.element.get_or_add_rPr(), "w:szCs", _RPR_AFTER_SZCS,
               val=str(round(size * 2)))
    if colour is not None:
        font.color.rgb = RGBColor.from_string(colour)
    if bold is not None:
        font.bold = bold
        font.cs_bold = bold
    if italic is not None:
        font.italic = italic
        font.cs_italic = italic


def _spacing(style: Any, before: float | None = None, after: float | None = None,
             line: float | None = None) -> None:
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line


def _drop_borders(style: Any) -> None:
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)


def _tabs(style: Any, right: Emu) -> None:
    stops = style.paragraph_format.tab_stops
    stops.clear_all()
    ppr = style.element.get_or_add_pPr()
    tabs = ppr.find(qn("w:tabs"))
    if tabs is not None:
        ppr.remove(tabs)
    stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)


def _table_style(styles: Any) -> None:
    """The built-in "Light List Accent 1", redefined plainly so Word and LibreOffice draw it
    alike: a navy header row with white bold text, a navy rule above and below the table,
    thin grey rules between rows, no vertical lines, 10 pt text with comfortable padding, the
    first column bold where a table asks for it (label and value tables)."""
    el = styles[TABLE_STYLE].element
    for child in list(el):
        if child.tag in {qn(t) for t in ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr",
                                         "w:tblStylePr")}:
            el.remove(child)
    rule = f'w:val="single" w:sz="4" w:space="0" w:color="{RULE}"'
    strong = f'w:val="single" w:sz="8" w:space="0" w:color="{NAVY}"'
    for xml in (
        '<w:pPr><w:spacing w:before="0" w:after="0" w:line="252" w:lineRule="auto"/></w:pPr>',
        '<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>',
        '<w:tblPr><w:tblStyleRowBandSize w:val="1"/><w:tblStyleColBandSize w:val="1"/>'
        '<w:tblInd w:w="0" w:type="dxa"/>'
        f'<w:tblBorders><w:top {strong}/><w:left w:val="nil"/><w:bottom {strong}/>'
        f'<w:right w:val="nil"/><w:insideH {rule}/><w:insideV w:val="nil"/></w:tblBorders>'
        '<w:tblCellMar><w:top w:w="68" w:type="dxa"/><w:left w:w="113" w:type="dxa"/>'
        '<w:bottom w:w="68" w:type="dxa"/><w:right w:w="113" w:type="dxa"/></w:tblCellMar>'
        '</w:tblPr>',
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/>'
        '</w:rPr><w:tblPr/><w:tcPr>'
        f'<w:tcBorders><w:top {strong}/><w:bottom {strong}/></w:tcBorders>'
        f'<w:shd w:val="clear" w:color="auto" w:fill="{NAVY}"/></w:tcPr></w:tblStylePr>',
        '<w:tblStylePr w:type="firstCol"><w:rPr><w:b/><w:bCs/></w:rPr></w:tblStylePr>',
    ):
        el.append(parse_xml(f'<root {nsdecls("w")}>{xml}</root>')[0])


def _house_styles(styles: Any) -> None:
    """Normal, List Bullet, headings, title, header and footer: the house look."""
    # Normal stays empty: its spacing and colour live in the document defaults, so a table
    # style (which ranks below paragraph styles) can still set its own.
    title = styles["Title"]
    _drop_borders(title)
    _style_font(title, size=24, colour=NAVY, bold=True)
    title.font.spacing = Pt(0)
    _spacing(title, before=0, after=4, line=1.05)

    subtitle = styles["Subtitle"]
    _style_font(subtitle, size=14, colour=MUTED, italic=False)
    subtitle.font.spacing = Pt(0)
    _spacing(subtitle, before=0, after=14)
    numpr = subtitle.element.get_or_add_pPr().find(qn("w:numPr"))
    if numpr is not None:  # the template's Subtitle claims a list level it never uses
        numpr.getparent().remove(numpr)

    for name, size, before, after in (("Heading 1", 15, 20, 6), ("Heading 2", 12.5, 14, 4),
                                      ("Heading 3", 11, 10, 3)):
        heading = styles[name]
        _style_font(heading, size=size, colour=NAVY, bold=True, italic=False)
        _spacing(heading, before=before, after=after, line=1.1)

    h1 = styles["Heading 1"]
    border = _child(h1.element.get_or_add_pPr(), "w:pBdr",
                    ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                     "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                     "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                     "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                     "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                     "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                     "w:pPrChange"))
    _child(border, "w:bottom", val="single", sz="6", space="3", color=RULE)

    bullet = styles["List Bullet"]
    _spacing(bullet, after=4)
    ppr = bullet.element.get_or_add_pPr()
    contextual = ppr.find(qn("w:contextualSpacing"))
    if contextual is not None:  # space between points too: they are often long
        ppr.remove(contextual)

    for name in ("Header", "Footer"):
        style = styles[name]
        _style_font(style, size=9, colour=MUTED)
        _tabs(style, TEXT_WIDTH)

    subtle = styles["Subtle Emphasis"]
    _style_font(subtle, colour=MUTED, italic=False)


@functools.cache
def _template() -> bytes:
    """python-docx's default template, restyled once: fonts, colours, spacing, A4, Word 2013+
    mode, and without the parts that would contradict the styles (stylesWithEffects, the
    template's thumbnail and custom XML)."""
    doc = Document()
    part = doc.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            part.drop_rel(rel_id)
    package_rels = part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package_rels.pop(rel_id)

    styles_root = doc.styles.element
    defaults = styles_root.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)
    _child(rpr, "w:color", ("w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
                            "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                            "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang"), val=TEXT)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _child(ppr, "w:widowControl", ("w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd",
                                   "w:tabs", "w:spacing"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.attrib.update({qn("w:after"): "140", qn("w:line"): "288", qn("w:lineRule"): "auto"})
    _explicit_fonts(styles_root)
    _recolour(styles_root)
    _house_styles(doc.styles)
    _table_style(doc.styles)
    # Only the table styles the summary uses: Word still offers all of its built-in ones
    # (they are listed as latent styles), and the file is smaller and faster to write.
    keep = {"Normal Table", "Table Grid", TABLE_STYLE}
    for style in list(styles_root.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if style.get(qn("w:type")) == "table" and name is not None \
                and name.get(qn("w:val")) not in keep:
            styles_root.remove(style)
    _recolour(doc.part.numbering_part.element)

    for rel in part.rels.values():
        if rel.reltype.endswith("/theme"):
            theme = rel.target_part
            theme._blob = _theme_xml(theme.blob)

    settings = doc.settings.element
    proof = settings.find(qn("w:proofState"))
    if proof is not None:  # let Word check spelling in the summary's language
        settings.remove(proof)
    for compat in settings.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")  # not "[Compatibility Mode]" in Word

    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_X
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.start_type = WD_SECTION.NEW_PAGE

    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Writing text.

_PPR_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                   "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                   "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


@functools.cache
def _style_ids() -> dict[str, str]:
    doc = Document(io.BytesIO(_template()))
    return {style.name: style.style_id for style in doc.styles}


def _style_id(name: str) -> str:
    return _style_ids()[name]


def _new_paragraph(container: Any, style: str = "Normal") -> Any:
    """A paragraph in a style, set by its id (python-docx's lookup by name is slow)."""
    paragraph = container.add_paragraph()
    if style != "Normal":
        paragraph._p.style = _style_id(style)
    return paragraph


def _add_runs(paragraph: Any, text: str, style: str | None = None) -> None:
    """Append text (one line, may hold tabs) as runs, right-to-left runs marked as such."""
    for part, rtl in _segments(text):
        run = paragraph.add_run(part)
        if style:
            run._r.style = _style_id(style)
        if rtl:
            run.font.rtl = True


def _add_lines(paragraph: Any, lines: Sequence[str], style: str | None = None) -> None:
    for n, line in enumerate(lines):
        if n:
            paragraph.add_run().add_break()
        _add_runs(paragraph, line, style)


def _direction(paragraph: Any, text: str) -> None:
    """A paragraph whose text starts right-to-left reads right-to-left (like dir="auto")."""
    if _first_strong_rtl(text):
        _child(paragraph._p.get_or_add_pPr(), "w:bidi", _PPR_AFTER_BIDI)


def _paragraph(container: Any, text: object, style: str = "Normal",
               run_style: str | None = None) -> Any:
    """One paragraph of user text; newlines inside it become line breaks."""
    lines = _lines(text)
    paragraph = _new_paragraph(container, style)
    _add_lines(paragraph, lines, run_style)
    _direction(paragraph, " ".join(lines))
    return paragraph


def _paragraphs(container: Any, text: object, style: str = "Normal",
                keep_with_next: bool = False) -> None:
    """The facilitator's text: blank lines separate paragraphs, a single newline is a line
    break inside one (as in the PDF).  keep_with_next keeps an introduction on the page of
    the table it introduces."""
    for block in _BLANK_LINES.split(clean_text(text)):
        if block.strip():
            paragraph = _paragraph(container, block, style)
            if keep_with_next:
                paragraph.paragraph_format.keep_with_next = True


def _heading(doc: Any, text: object, level: int) -> Any:
    return _paragraph(doc, _one_line(text), f"Heading {level}")


def _labelled(container: Any, label: str, value: object, style: str = "Normal") -> Any:
    """"Label: value" in one paragraph, the label in the Strong character style.  Its
    direction is the document's: it mixes the reader's words with the label."""
    paragraph = _new_paragraph(container, style)
    _add_runs(paragraph, _one_line(label), "Strong")
    lines = _lines(value)
    if lines:
        paragraph.add_run(": ")
        _add_lines(paragraph, lines)
    return paragraph


def _points(doc: Any, section: Section, labels: dict[str, str]) -> None:
    """Each point a bullet: its text, then "– Raised by: who" in Subtle Emphasis."""
    raised_by_label = labels.get("raised_by", "Raised by")
    for point in section.points:
        lines = _lines(point.text)
        if not lines:
            continue
        paragraph = _new_paragraph(doc, "List Bullet")
        _add_lines(paragraph, lines)
        raised_by = _one_line(point.raised_by)
        if raised_by:
            paragraph.add_run(" ")
            _add_runs(paragraph, f"\u2013 {raised_by_label}: {raised_by}", "Subtle Emphasis")
        _direction(paragraph, " ".join(lines))


def _section(doc: Any, section: Section, labels: dict[str, str]) -> None:
    if section.empty:
        return
    _heading(doc, section.title, 1)
    _paragraphs(doc, section.narrative)
    _points(doc, section, labels)


# ---------------------------------------------------------------------------------------------
# Tables.

def _estimated_lines(text: str, width_cm: float, size_pt: float = 10) -> int:
    per_line = max(1, int(width_cm * 28.35 / (size_pt * 0.52)))  # Arial's average advance
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n") or [""])


def _set_cell(cell: Any, parts: Iterable[tuple[str, str | None]]) -> None:
    """Fill a cell with paragraphs: (text, character style or None) per paragraph."""
    first = True
    for text, run_style in parts:
        lines = _lines(text)
        if not lines:
            continue
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        _add_lines(paragraph, lines, run_style)
        _direction(paragraph, " ".join(lines))


Cell = Sequence[tuple[str, "str | None"]]  # paragraphs: (text, character style or None)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Cell]],
           widths_cm: Sequence[float], caption: str, first_column: bool = False,
           header_row: bool = True) -> Any:
    """A table in the house table style: fixed column widths (a 2,000-character word cannot
    push the table off the page), header row repeated on every page, rows kept whole when
    they fit on a page."""
    n_rows = len(rows) + (1 if header_row else 0)
    table = doc.add_table(rows=n_rows, cols=len(widths_cm))
    table._tbl.tblPr.style = _style_id(TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl = table._tbl
    tblpr = tbl.tblPr
    _child(tblpr, "w:tblW", ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                             "w:tblLayout", "w:tblCellMar", "w:tblLook"),
           w=str(int(Cm(sum(widths_cm)).twips)), type="dxa")  # its columns, on any page
    _child(tblpr, "w:tblLayout", ("w:tblCellMar", "w:tblLook", "w:tblCaption",
                                  "w:tblDescription"), type="fixed")
    look = _child(tblpr, "w:tblLook")
    for key, value in (("firstRow", "1" if header_row else "0"), ("lastRow", "0"),
                       ("firstColumn", "1" if first_column else "0"), ("lastColumn", "0"),
                       ("noHBand", "0"), ("noVBand", "1")):
        look.set(qn(f"w:{key}"), value)
    look.set(qn("w:val"), "0420" if header_row and not first_column else
             ("04A0" if header_row else "0480"))
    if caption:
        _child(tblpr, "w:tblCaption", val=_one_line(caption)[:255])

    for col, width in zip(table.columns, widths_cm):
        col.width = Cm(width)
    all_rows = ([[[(text, None)] for text in header]] if header_row else []) + list(rows)
    for r, (row, values) in enumerate(zip(table.rows, all_rows)):
        trpr = row._tr.get_or_add_trPr()
        lines = 1
        for cell, width, parts in zip(row.cells, widths_cm, values):
            cell.width = Cm(width)
            _set_cell(cell, parts)
            text = "\n".join(clean_text(t) for t, _s in parts)
            lines = max(lines, _estimated_lines(text, width - 0.4))
        if lines <= _MAX_UNSPLIT_LINES:
            _child(trpr, "w:cantSplit")
        if header_row and r == 0:
            _child(trpr, "w:tblHeader")
    return table


# ---------------------------------------------------------------------------------------------
# The document, in reading order.

def _number(value: float | None, locale: str, missing: str) -> str:
    """A score as the reader writes it ("3", "2.5", "2,5"); `missing` when there is none."""
    if value is None:
        return missing
    try:
        return format_decimal(value, format="#,##0.#", locale=locale)
    except (UnknownLocaleError, ValueError, LookupError):  # nor an unknown locale
        return f"{value:g}"


def _header_footer(doc: Any, summary: Summary, labels: dict[str, str],
                   section: Any = None) -> None:
    section = section if section is not None else doc.sections[0]
    section.different_first_page_header_footer = True  # the title page shows the title itself

    header = section.header.paragraphs[0]
    header._p.style = _style_id("Header")
    _add_runs(header, _one_line(summary.title))
    _direction(header, _one_line(summary.title))

    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph._p.style = _style_id("Footer")
        status = _one_line(summary.status_text)
        if status:
            _add_runs(paragraph, status)
        paragraph.add_run("\t")
        _add_runs(paragraph, f"{labels.get('page', 'Page')} ")
        _field(paragraph, "PAGE", "1")
        _add_runs(paragraph, f" {labels.get('of', 'of')} ")
        _field(paragraph, "NUMPAGES", "1")


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, result, end) Word and LibreOffice update."""
    def char(kind: str) -> None:
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} \\* MERGEFORMAT "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def chart_alt_text(block: RatingsBlock, labels: dict[str, str], locale: str) -> str:
    """The chart's alternative text: where the sides differ most and the weaknesses both see,
    then a pointer to the table that follows with every score (read once, not twice)."""
    def listed(titles: Sequence[str]) -> str:
        titles = [_one_line(t) for t in titles if _one_line(t)]
        try:
            return format_list(titles, locale=locale)
        except (UnknownLocaleError, ValueError, LookupError):
            return ", ".join(titles)

    sentences = [labels.get("chart_alt_biggest", "The biggest differences are in {list}.")
                 .replace("{list}", listed(block.biggest)) if block.biggest
                 else labels.get("chart_alt_close", "The two sides' scores are close.")]
    if block.both_low:
        sentences.append(labels.get("chart_alt_both_low", "Both sides see a weakness in {list}.")
                         .replace("{list}", listed(block.both_low)))
    sentences.append(labels.get("chart_alt_table", "Every score is in the table below."))
    return " ".join(sentences)


def _core_properties(doc: Any, summary: Summary) -> None:
    props = doc.core_properties
    props.title = _one_line(summary.title)[:255]
    props.subject = _one_line(summary.subtitle)[:255]
    props.author = _one_line(summary.facilitator)[:255]
    props.last_modified_by = _one_line(summary.facilitator)[:255]
    props.language = summary.language_tag
    props.content_status = _one_line(summary.status_text)[:255]
    labels = summary.labels
    keywords = [summary.partnership, summary.agency, summary.agency_kind,
                *labels.get("keywords", "").split(";")]
    props.keywords = "; ".join(k for k in (_one_line(k) for k in keywords) if k)[:255]
    props.comments = ""
    props.category = ""
    props.revision = summary.version or 1
    if summary.version:
        props.version = str(summary.version)
    element = props._element
    for tag in ("dcterms:created", "dcterms:modified"):  # the template's 2013 dates
        found = element.find(qn(tag))
        if found is not None:
            element.remove(found)
    if summary.created is not None:  # python-docx writes the time as UTC ("Z") as given
        created = summary.created
        if created.tzinfo is not None:
            created = created.astimezone(timezone.utc).replace(tzinfo=None)
        props.created = props.modified = created.replace(microsecond=0)


def _language(doc: Any, tag: str) -> None:
    styles_root = doc.styles.element
    rpr = styles_root.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for holder in (rpr, doc.styles["Normal"].element.get_or_add_rPr()):
        lang = _child(holder, "w:lang", ("w:eastAsianLayout", "w:specVanish", "w:oMath"))
        lang.attrib.clear()
        lang.set(qn("w:val"), tag)
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), tag)


def _title_block(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    _paragraph(doc, _one_line(summary.title), "Title")
    if _one_line(summary.subtitle):
        _paragraph(doc, _one_line(summary.subtitle), "Subtitle")

    details = [(labels.get("status", "Status"), summary.status_text),
               (labels.get("change_note", "What changed"), summary.change_note),
               (labels.get("date", "Date"), summary.date_text),
               (labels.get("time", "Time"), summary.time_text),
               (labels.get("place", "Place"), summary.place),
               (labels.get("facilitator", "Facilitator"), summary.facilitator)]
    rows = [[[(label, None)], [(value, None)]] for label, value in details if clean_text(value)]
    if rows:
        _table(doc, (), rows, (4.0, TEXT_WIDTH.cm - 4.0), caption=labels.get("details", ""),
               first_column=True, header_row=False)


def _people(doc: Any, people: Sequence[PartyPeople], agency_kind: str,
            labels: dict[str, str]) -> None:
    if not any(group.people for group in people):
        return
    _heading(doc, labels.get("who_took_part", "Who took part"), 1)
    for group in people:
        if not group.people:
            continue
        _heading(doc, group.party_label, 2)
        if group.party == "agency" and _one_line(agency_kind):
            _paragraph(doc, _one_line(agency_kind))
        for person in group.people:
            label, role = _one_line(person.label), _one_line(person.role)
            if not person.named:  # asked not to be named: their role only, whatever the label
                text = role or label
            else:
                text = f"{label}, {role}" if role and role != label else label
            _paragraph(doc, text, "List Bullet")


def _scale_words(block: RatingsBlock, locale: str) -> tuple[str, str]:
    words = dict(block.scale_labels)

    def word(point: int) -> str:
        number = _number(point, locale, str(point))
        label = _one_line(words.get(point, ""))
        return f"{number} ({label})" if label else number

    return word(block.scale_min), word(block.scale_max)


def _ratings(doc: Any, summary: Summary, block: RatingsBlock, labels: dict[str, str]) -> None:
    locale = summary.locale
    if _one_line(block.title):
        _heading(doc, block.title, 2)
    intro = labels.get("ratings_intro", "")
    if intro:
        low, high = _scale_words(block, locale)
        paragraph = _paragraph(doc, intro.replace("{low}", low).replace("{high}", high))
        paragraph.paragraph_format.keep_with_next = True  # with the chart (or its table)
    if _one_line(block.before_note):
        paragraph = _paragraph(doc, block.before_note)
        paragraph.paragraph_format.keep_with_next = True

    if block.chart_svg:
        width = TEXT_WIDTH
        png = chart_png(block.chart_svg, round(width.inches * CHART_DPI))
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        shape = paragraph.add_run().add_picture(io.BytesIO(png), width=width)
        for side in ("distT", "distB", "distL", "distR"):  # as Word writes it; LibreOffice
            shape._inline.set(side, "0")                  # otherwise indents the image
        doc_pr = shape._inline.docPr
        title = _one_line(block.chart_title) or _one_line(labels.get("chart_alt", ""))
        doc_pr.set("name", "Chart")
        doc_pr.set("title", title)
        doc_pr.set("descr", chart_alt_text(block, labels, summary.locale))

    missing = labels.get("no_score", "No score")
    marker = labels.get("biggest_marker", "Biggest difference")
    last_time = labels.get("last_time", "Last time: {score}")
    multi = len(block.columns) > 1  # "At the start" and "Now": a column says which
    header = [labels.get("criterion", "What we rated"),
              _one_line(summary.partnership), _one_line(summary.agency),
              labels.get("difference", "Difference")]
    widths = [6.4, 3.2, 3.2, TEXT_WIDTH.cm - 12.8]
    if multi:
        header.insert(1, labels.get("rating_column", "When"))
        widths = [4.8, 2.6, 2.8, 2.8, TEXT_WIDTH.cm - 13.0]
    rows = []
    for row in block.rows:
        difference: list[tuple[str, str | None]] = [
            (_number(row.difference, locale, "\u2013"), None)]
        if row.biggest:
            difference.append((marker, "Strong"))
        scores: list[list[tuple[str, str | None]]] = []
        for value, before in ((row.partnership, row.partnership_before),
                              (row.agency, row.agency_before)):
            cell: list[tuple[str, str | None]] = [(_number(value, locale, missing), None)]
            if before is not None:
                cell.append((last_time.replace("{score}", _number(before, locale, missing)),
                             "Subtle Emphasis"))
            scores.append(cell)
        criterion: list[tuple[str, str | None]] = [(row.criterion, None)]
        if row.both_low:
            criterion.append((labels.get("both_low_marker", "Both see a weakness"), "Strong"))
        cells = [criterion, *scores, difference]
        if multi:
            cells.insert(1, [(row.column, None)])
        rows.append(cells)
    if rows:
        _table(doc, header, rows, widths,
               caption=_one_line(block.chart_title) or _one_line(block.title))

    if _one_line(block.differences_note):
        _paragraph(doc, _one_line(block.differences_note))
    biggest = [_one_line(b) for b in block.biggest if _one_line(b)]
    if biggest:
        _heading(doc, labels.get("biggest_one", "The biggest difference") if len(biggest) == 1
                 else labels.get("biggest", "The biggest differences"), 3)
        for name in biggest:
            _paragraph(doc, name, "List Bullet")
    both_low = [_one_line(b) for b in block.both_low if _one_line(b)]
    if both_low:
        _heading(doc, labels.get("both_low", "Where both sides see a weakness"), 3)
        for name in both_low:
            _paragraph(doc, name, "List Bullet")


def _relationship(doc: Any, views: Sequence[RelationshipView], labels: dict[str, str]) -> None:
    if not any(_one_line(v.now) or _one_line(v.wanted) for v in views):
        return
    _heading(doc, labels.get("relationship_type", "What kind of relationship"), 2)
    not_said = labels.get("not_said", "Not said")
    rows = [[[(v.party_label, None)], [(_one_line(v.now) or not_said, None)],
             [(_one_line(v.wanted) or not_said, None)]] for v in views]
    third = (TEXT_WIDTH.cm - 5.2) / 2
    _table(doc, (labels.get("party", "Which side"), labels.get("relationship_now", "It is now"),
                 labels.get("relationship_wanted", "We want it to become")),
           rows, (5.2, third, third), caption=labels.get("relationship_type", ""))


def _earlier_actions(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    """A follow-on conversation: the actions agreed last time and how each stands now."""
    if not summary.earlier_actions:
        return
    title = labels.get("earlier_actions", "Actions from last time")
    _heading(doc, title, 1)
    _paragraphs(doc, summary.earlier_actions_note, keep_with_next=True)
    none = "\u2013"  # as in the PDF
    rows = [[[(action.what, None)], [(_one_line(action.owner) or none, None)],
             [(_one_line(action.by_when) or none, None)],
             [(_one_line(action.status) or none, "Strong")]
             + ([(_one_line(action.update), None)] if clean_text(action.update) else [])]
            for action in summary.earlier_actions]
    _table(doc, (labels.get("action", "Action"), labels.get("owner", "Who"),
                 labels.get("by_when", "By when"), labels.get("action_stands", "How it stands")),
           rows, (7.0, 3.3, 3.3, TEXT_WIDTH.cm - 13.6), caption=title)


def _actions(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    actions: Sequence[ActionRow] = summary.actions
    if not actions and not clean_text(summary.actions_narrative):
        return
    _heading(doc, labels.get("actions", "Agreed actions"), 1)
    _paragraphs(doc, summary.actions_narrative, keep_with_next=bool(actions))
    if not actions:
        return
    none = "\u2013"  # as in the PDF
    first_step = labels.get("first_step", "First step")
    rows = []
    for action in actions:
        what: list[tuple[str, str | None]] = [(action.what, "Strong")]  # bold, as in the PDF
        if _one_line(action.first_step):
            what.append((f"{first_step}: {_one_line(action.first_step)}", None))
        if action.agreed_by_both:
            what.append((labels.get("agreed_by_both", "Agreed by both sides"),
                         "Subtle Emphasis"))
        if action.commitment is not None:
            what.append((labels.get("commitment", "How sure: {score} out of 10").replace(
                "{score}", _number(action.commitment, summary.locale, "")), None))
        rows.append([what, [(_one_line(action.owner) or none, None)],
                     [(_one_line(action.party) or none, None)],
                     [(_one_line(action.by_when) or none, None)]])
    _table(doc, (labels.get("action", "Action"), labels.get("owner", "Who"),
                 labels.get("party", "Which side"), labels.get("by_when", "By when")),
           rows, (7.0, 3.3, 3.3, TEXT_WIDTH.cm - 13.6), caption=labels.get("actions", ""))


def _keeping_in_touch(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    section = summary.keeping_in_touch
    contacts, rhythm = clean_text(summary.contacts), clean_text(summary.meeting_rhythm)
    if section.empty and not contacts and not rhythm:
        return
    _heading(doc, section.title or labels.get("keeping_in_touch", "How we keep in touch"), 1)
    _paragraphs(doc, section.narrative)
    if contacts:
        _heading(doc, labels.get("contacts", "Points of contact"), 2)
        _paragraphs(doc, contacts)
    if rhythm:
        _heading(doc, labels.get("meeting_rhythm", "How often we meet"), 2)
        _paragraphs(doc, rhythm)
    _points(doc, section, labels)


def _approvals(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    if not summary.approvals:
        return
    _heading(doc, labels.get("approvals", "Approval"), 1)
    for approval in summary.approvals:
        _labelled(doc, approval.party_label, approval.text, "List Bullet")


def _appendix(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    """The questions asked and each stage's minutes, planned and taken (or, for a summary
    from before questions were recorded, the plan's questions)."""
    stages = [s for s in summary.appendix if any(_one_line(q) for q in s.questions)
              or s.actual_minutes is not None]
    if not stages:
        return
    heading = _heading(doc, labels.get("appendix", "Appendix: the questions we used"), 1)
    heading.paragraph_format.page_break_before = True  # an appendix starts a page
    if summary.appendix_kind == "asked" and labels.get("appendix_asked"):
        _paragraph(doc, labels["appendix_asked"])
    for stage in stages:
        if _one_line(stage.title):
            _heading(doc, stage.title, 2)
        if stage.actual_minutes is not None:
            _paragraph(doc, labels.get("appendix_minutes", "{planned} / {actual}")
                       .replace("{planned}", str(stage.planned_minutes or 0))
                       .replace("{actual}", str(stage.actual_minutes)))
        questions = [q for q in stage.questions if _one_line(q)]
        for question in questions:
            added = (" (" + labels.get("appendix_added", "") + ")"
                     if question in stage.added else "")
            _paragraph(doc, question + added, "List Bullet")
        if not questions and stage.actual_minutes is not None:
            _paragraph(doc, labels.get("appendix_not_reached", ""))


# Where w:lang and w:bidiVisual go among their siblings (ECMA-376 Part 1, 17.3.2 and 17.4.60).
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_TBLPR_AFTER_BIDI = ("w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc",
                     "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                     "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def _in_language(elements: Iterable[Any], summary: Summary) -> None:
    """Every run of one language's part says its language (w:lang, and w:bidi for a
    right-to-left one), so a screen reader reading the Word file switches voice with the
    text.  In a right-to-left part, paragraphs read right to left unless their own text
    starts left to right (like dir="auto" on an rtl page), and tables run right to left."""
    tag, rtl = summary.language_tag, summary.direction == "rtl"
    for element in elements:
        for run in element.iter(qn("w:r")):
            lang = _child(run.get_or_add_rPr(), "w:lang", _RPR_AFTER_LANG)
            lang.set(qn("w:val"), tag)
            if rtl:
                lang.set(qn("w:bidi"), tag)
        if not rtl:
            continue
        for paragraph in element.iter(qn("w:p")):
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            strong = next((_is_rtl_char(c) for c in text if _is_rtl_char(c) is not None), None)
            if strong is not False:
                _child(paragraph.get_or_add_pPr(), "w:bidi", _PPR_AFTER_BIDI)
        for table in element.iter(qn("w:tbl")):
            _child(table.tblPr, "w:bidiVisual", _TBLPR_AFTER_BIDI)


def _build(summary: Summary, *more: Summary) -> Any:
    doc = Document(io.BytesIO(_template()))
    _language(doc, summary.language_tag)
    _core_properties(doc, summary)
    for index, part in enumerate((summary, *more)):
        labels = {k: _one_line(v) for k, v in (part.labels or {}).items()}
        section = doc.sections[0] if index == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        if index:
            for holder in (section.header, section.footer, section.first_page_header,
                           section.first_page_footer):
                holder.is_linked_to_previous = False
        _header_footer(doc, part, labels, section)
        body = doc.element.body
        start = len(body) - 1  # the body's last child is its final section properties
        _write(doc, part, labels)
        _in_language(list(body)[start:-1], part)
        _in_language([section.header._element, section.footer._element,
                      section.first_page_footer._element], part)
    return doc


def _write(doc: Any, summary: Summary, labels: dict[str, str]) -> None:
    """One language's part of the document, from its title to its appendix."""

    _title_block(doc, summary, labels)
    _people(doc, summary.people, summary.agency_kind, labels)
    for key, text in (("introduction", summary.introduction), ("purpose", summary.purpose),
                      ("ground_rules", summary.ground_rules)):
        if clean_text(text):
            _heading(doc, labels.get(key, key), 1)
            _paragraphs(doc, text)
    _section(doc, summary.working_towards, labels)
    _section(doc, summary.community, labels)

    how_well = summary.how_well
    has_relationship = any(_one_line(v.now) or _one_line(v.wanted) for v in summary.relationship)
    if not how_well.empty or summary.ratings or has_relationship:
        _heading(doc, how_well.title or labels.get("how_well", ""), 1)
        _paragraphs(doc, how_well.narrative)
        _points(doc, how_well, labels)
        for block in summary.ratings:
            _ratings(doc, summary, block, labels)
        _relationship(doc, summary.relationship, labels)

    if summary.strengths is not None:
        _section(doc, summary.strengths, labels)
    _section(doc, summary.challenges, labels)
    _section(doc, summary.opportunities, labels)
    _earlier_actions(doc, summary, labels)
    _actions(doc, summary, labels)
    _keeping_in_touch(doc, summary, labels)
    if clean_text(summary.next_conversation):
        _heading(doc, labels.get("next_conversation", "Next conversation"), 1)
        _paragraphs(doc, summary.next_conversation)
    _section(doc, summary.follow_ups, labels)
    if summary.parked is not None:
        _section(doc, summary.parked, labels)
    _section(doc, summary.other, labels)
    _section(doc, summary.closing, labels)
    _approvals(doc, summary, labels)
    _appendix(doc, summary, labels)


def _repack(data: bytes) -> bytes:
    """The same package with fixed timestamps, so the same summary gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename), compresslevel=6)
    return out.getvalue()


def render_docx(summary: Summary, *more: Summary) -> bytes:
    """The summary as a .docx file (bytes); with `more`, the same summary in other languages,
    each after the last in a section of its own."""
    doc = _build(summary, *more)
    out = io.BytesIO()
    doc.save(out)
    return _repack(out.getvalue())
