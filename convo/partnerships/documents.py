"""The relationship map, printable: a PDF (WeasyPrint, tagged PDF/UA-1) and a Word file
(python-docx, the summary's house styles), each with the picture and the same table.

Both are pure functions of a MapDocument (plain data: map.MapView with the not-named rule
already applied, since the files leave convo).  The picture goes in as the PNG that resvg
draws from the map's SVG, with its description as alternative text: WeasyPrint would lay out
an SVG's words letter by letter (as the summary's PDF notes), resvg shapes them properly.
WeasyPrint may fetch nothing but convo's own files (the summary's safe fetcher).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _

from convo.conversations.naming import Anonymiser
from convo.extensions import db
from convo.models import Conversation, Partnership, Participant
from convo.partnerships import map as map_module
from sqlalchemy import select

PICTURE_PX = 1400


@dataclass(frozen=True)
class MapDocument:
    view: map_module.MapView
    title: str
    svg: str
    description: str
    locale: str
    labels: dict[str, str]

    @property
    def language_tag(self) -> str:
        return self.locale.replace("_", "-")


def anonymiser_for(partnership: Partnership) -> Anonymiser:
    """Everyone who asked not to be named in any of the partnership's conversations."""
    people = list(db.session.scalars(select(Participant).join(
        Conversation, Conversation.id == Participant.conversation_id).where(
        Conversation.partnership_id == partnership.id, Participant.may_be_named.is_(False))))
    return Anonymiser(people)


def build(partnership: Partnership, locale: str = "en_GB") -> MapDocument:
    view = map_module.build(partnership, anonymiser_for(partnership), locale)
    title = _("The relationship map of %(name)s", name=view.partnership)
    svg = str(map_module.map_svg(view, title, locale))
    labels = {"number": _("No."), "agency": _("Agency"), "kind": _("Kind"),
              "purposes": _("What it is for"), "type_now": _("Type now"),
              "type_wanted": _("Type wanted"), "holders": _("Who holds it"),
              "average": _("Average"), "mark": _("Mark"), "not_rated": _("Not rated"),
              "criteria": _("Rated on the criteria that matter most to the partnership, "
                            "from 1 to 5: %(criteria)s.", criteria=", ".join(view.criteria))
              if view.criteria else _("The partnership has not chosen its criteria yet."),
              "table": _("Every relationship"), "subtitle": _("Relationship map"),
              "good": _("A good relationship"), "develop": _("One to develop")}
    return MapDocument(view, title, svg, map_module.describe(view, locale), locale, labels)


def picture(document: MapDocument) -> bytes:
    from convo.summary.render_docx import chart_png

    return chart_png(document.svg, PICTURE_PX)


def _score(value: float | int | None, document: MapDocument) -> str:
    return map_module.number(value, document.locale) if value is not None else "–"


def render_pdf(document: MapDocument) -> bytes:
    from weasyprint import HTML

    from convo.summary.pdf_tags import finish
    from convo.summary.render_pdf import BASE_URL, PDF_VARIANT, url_fetcher

    html = render_template(
        "partnerships/map_document.html", d=document, score=lambda v: _score(v, document),
        picture="data:image/png;base64," + base64.b64encode(picture(document)).decode())
    return finish(HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).write_pdf(
        pdf_variant=PDF_VARIANT))


def render_docx(document: MapDocument) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION

    from convo.summary import render_docx as house

    doc = Document(io.BytesIO(house._template()))
    house._language(doc, document.language_tag)
    props = doc.core_properties
    props.title = house._one_line(document.title)[:255]
    props.subject = document.labels["subtitle"]
    props.language = document.language_tag
    labels = document.labels
    house._paragraph(doc, house._one_line(document.title), "Title")
    house._paragraphs(doc, labels["criteria"])
    png = picture(document)
    paragraph = doc.add_paragraph()
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=house.TEXT_WIDTH)
    doc_pr = shape._inline.docPr
    doc_pr.set("name", "Map")
    doc_pr.set("title", house._one_line(document.title))
    doc_pr.set("descr", house._one_line(document.description))
    # The table has a column per criterion: on a page of its own turned sideways, so that no
    # heading ("Capacity and resources to follow through") is broken inside its words.
    table_page = doc.add_section(WD_SECTION.NEW_PAGE)
    table_page.orientation = WD_ORIENT.LANDSCAPE
    table_page.page_width, table_page.page_height = house.PAGE_HEIGHT, house.PAGE_WIDTH
    width = (house.PAGE_HEIGHT - table_page.left_margin - table_page.right_margin) / 360000
    house._heading(doc, labels["table"], 1)
    view = document.view
    header = [labels["number"], labels["agency"], labels["purposes"], labels["type_now"],
              labels["holders"], *view.criteria, labels["average"]]
    rows = []
    for row in view.rows:
        agency = row.agency + (f" ({labels[row.focus]})" if row.focus else "")
        rows.append([[(str(row.number), None)], [(agency, "Strong"), (row.kind, None)],
                     [(", ".join(row.purposes) or "–", None)],
                     [(row.type_now or "–", None)]
                     + ([(f"{labels['type_wanted']}: {row.type_wanted}", None)]
                        if row.type_wanted else []),
                     [(row.partnership_holders or "–", None), (row.agency_holders, None)],
                     *[[(_score(s, document), None)] for _t, s in row.scores],
                     [(_score(row.average, document) if row.average is not None
                       else labels["not_rated"], None)]])
    criterion, fixed = 2.4, 1.3 + 4.2 + 3.2 + 2.8 + 2.2
    holders = max(width - 0.1 - fixed - criterion * len(view.criteria), 3.0)
    widths = [1.3, 4.2, 3.2, 2.8, holders] + [criterion] * len(view.criteria) + [2.2]
    house._table(doc, header, rows, widths, caption=labels["table"])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
