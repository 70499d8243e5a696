"""Finish WeasyPrint's tagged PDF so that PDF/UA checkers accept it: one small pikepdf pass.

WeasyPrint 70 (pdf_variant="pdf/ua-1") makes a good structure tree, with three gaps that
convo's HTML and CSS cannot close (docs/pdf-ua.md has a minimal reproduction of each):

1. Running heads and footers (the @page margin boxes) are drawn as marked content with MCIDs
   whose structure elements are never linked into the tree: orphans, neither content nor
   artifact (ISO 14289-1 7.8, Matterhorn 18).  They become /Artifact /Pagination here.
2. Table header cells get an /ID and data cells /Headers arrays naming those IDs, but the
   structure tree root has no /IDTree, so the references resolve to nothing; and no /TH has a
   /Scope, although the HTML's <th> has `scope` (ISO 14289-1 7.5, Matterhorn 15).  Here each
   /TH gets /Scope /Column (in a /THead) or /Row (elsewhere, as convo's row headers are), and
   the root an /IDTree.
3. An empty inline element with a background (a ratings bar) becomes an empty /Span with no
   content.  Such elements are dropped from the tree.

`finish(pdf_bytes)` returns the corrected bytes; every step leaves a PDF that does not need
it unchanged, so the pass can stay when WeasyPrint is fixed.
"""

from __future__ import annotations

import io

PAGINATION = "/Pagination"


def finish(pdf: bytes, part_languages: list[str] | None = None) -> bytes:
    """The tagged PDF with artifacts, header scopes, an ID tree and no empty elements; and,
    for a document in several languages one after the other (each starting on a new page
    with its one H1 title), each language's part tagged with its /Lang."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        tree = _Tree(root)
        _orphans_to_artifacts(document, root, {e.objgen for e in tree.order})
        _drop_empty(tree)
        _scope_and_ids(document, root, tree)
        if part_languages:
            _part_languages(tree, part_languages)
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


def _part_languages(tree: _Tree, tags: list[str]) -> None:
    """WeasyPrint gives each page a /Div under /Document and no /Lang below the catalogue's.
    A language's part starts on a new page with its title, the part's only H1, so each page's
    /Div takes the language of the last title at or before it; /Lang then holds for all the
    page's content (ISO 32000-1 14.9.2).  A document whose titles don't match the languages
    is left as it was."""
    import pikepdf

    titles = [e for e in tree.order if tree.tag(e) == "/H1"]
    if len(titles) != len(tags):
        return
    first_title = {t.objgen: index for index, t in enumerate(titles)}
    pages = [e for e in tree.order if tree.parent.get(e.objgen) is not None
             and tree.parent[e.objgen] is not None
             and tree.tag(tree.parent[e.objgen]) == "/Document"]
    index = 0
    for page in pages:
        inside = [first_title[e.objgen] for e in _under(tree, page) if e.objgen in first_title]
        if inside:
            index = inside[0]
        page["/Lang"] = pikepdf.String(tags[index])


def _under(tree: _Tree, element: object) -> list:
    found, stack = [], list(tree.kids.get(element.objgen, []))
    while stack:
        node = stack.pop()
        if _is_element(node):
            found.append(node)
            stack.extend(tree.kids.get(node.objgen, []))
    return found


def _kids(element: object) -> list:
    """The kids of a structure element as a list (K may be one object or an array)."""
    import pikepdf

    kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
    if kids is None:
        return []
    if isinstance(kids, pikepdf.Array):
        return list(kids)
    return [kids]


def _is_element(node: object) -> bool:
    import pikepdf

    return (isinstance(node, pikepdf.Dictionary) and "/S" in node
            and node.get("/Type", pikepdf.Name.StructElem) == pikepdf.Name.StructElem)


class _Tree:
    """The structure elements under the root, read once: in document order, each one's kids
    and each one's parent element (None under the root)."""

    def __init__(self, root: object) -> None:
        self.order: list = []
        self.kids: dict[tuple[int, int], list] = {}
        self.parent: dict[tuple[int, int], object] = {}
        stack = [(kid, None) for kid in reversed(_kids(root)) if _is_element(kid)]
        while stack:
            element, parent = stack.pop()
            key = element.objgen
            if key in self.kids:  # an element reached twice is walked once
                continue
            self.order.append(element)
            self.parent[key] = parent
            kids = self.kids[key] = _kids(element)
            stack.extend((kid, element) for kid in reversed(kids) if _is_element(kid))

    def tag(self, element: object) -> str:
        return str(element.get("/S", "")) if element is not None else ""


def _orphans_to_artifacts(document: object, root: object, reachable: set) -> None:
    """Marked content whose element is outside the tree becomes a pagination artifact."""
    import pikepdf

    parent_tree = root.get("/ParentTree")
    if parent_tree is None or "/Nums" not in parent_tree:
        return
    nums = parent_tree.Nums
    orphan_mcids: dict[int, set[int]] = {}  # StructParents key -> MCIDs of orphans
    for index in range(0, len(nums) - 1, 2):
        key, value = int(nums[index]), nums[index + 1]
        if not isinstance(value, pikepdf.Array):
            continue
        orphans = {mcid for mcid, element in enumerate(value)
                   if isinstance(element, pikepdf.Dictionary) and element.is_indirect
                   and element.objgen not in reachable}
        if orphans:
            orphan_mcids[key] = orphans
            for mcid in orphans:
                value[mcid] = pikepdf.Object.parse(b"null")
    if not orphan_mcids:
        return
    for number, page in enumerate(document.pages):
        key = int(page.obj.get("/StructParents", number))
        orphans = orphan_mcids.get(key)
        if not orphans:
            continue
        height = float(page.mediabox[3])
        commands = pikepdf.parse_content_stream(page)
        for index, (operands, operator) in enumerate(commands):
            if (len(operands) == 2 and str(operator) == "BDC"
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and int(operands[1].get("/MCID", -1)) in orphans):
                commands[index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Artifact, pikepdf.Dictionary(
                        Type=pikepdf.Name(PAGINATION),
                        Subtype=pikepdf.Name("/Header"))], pikepdf.Operator("BDC"))
        _name_footers(commands, height)
        page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(commands))


def _name_footers(commands: list, height: float) -> None:
    """A pagination artifact whose text starts in the lower half of the page is a footer.

    The position is the text matrix's origin through the current transformation matrix
    (WeasyPrint flips the page and scales to CSS pixels with `cm` first)."""
    import pikepdf

    ctm, stack = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
    open_artifact = None
    for instruction in commands:
        operator, operands = str(instruction.operator), instruction.operands
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q" and stack:
            ctm = stack.pop()
        elif operator == "cm" and len(operands) == 6:
            ctm = _multiply(tuple(float(v) for v in operands), ctm)
        elif operator == "BDC" and operands[0] == pikepdf.Name.Artifact:
            open_artifact = instruction
        elif operator == "EMC":
            open_artifact = None
        elif open_artifact is not None and operator == "Tm" and len(operands) == 6:
            x, y = float(operands[4]), float(operands[5])
            device_y = ctm[1] * x + ctm[3] * y + ctm[5]
            if device_y < height / 2:
                open_artifact.operands[1].Subtype = pikepdf.Name("/Footer")
            open_artifact = None


def _multiply(m: tuple, n: tuple) -> tuple:
    """The matrix product m × n of two PDF matrices (a b c d e f)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _drop_empty(tree: _Tree) -> None:
    """Remove structure elements that hold nothing (no kids, no /Alt, no /ActualText),
    innermost first, so an element left empty by that goes too."""
    import pikepdf

    empty: set[tuple[int, int]] = set()
    for element in reversed(tree.order):  # every element after all of its descendants
        kids = tree.kids[element.objgen]
        kept = [kid for kid in kids
                if not (isinstance(kid, pikepdf.Dictionary) and kid.is_indirect
                        and kid.objgen in empty)]
        if len(kept) != len(kids):
            element.K = pikepdf.Array(kept)
        if not kept and "/Alt" not in element and "/ActualText" not in element:
            empty.add(element.objgen)


def _scope_and_ids(document: object, root: object, tree: _Tree) -> None:
    """/Scope on every /TH and an /IDTree for every element with an /ID."""
    import pikepdf

    ids = []
    for element in tree.order:
        if element.S == pikepdf.Name.TH:
            row = tree.parent.get(element.objgen)
            in_head = row is not None and tree.tag(tree.parent.get(row.objgen)) == "/THead"
            attributes = element.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = element.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
            if "/Scope" not in attributes:
                attributes.Scope = pikepdf.Name.Column if in_head else pikepdf.Name.Row
        if "/ID" in element and element.is_indirect:
            ids.append((bytes(element.ID), element))
    if ids and "/IDTree" not in root:
        names = pikepdf.Array()
        for key, element in sorted(ids, key=lambda pair: pair[0]):
            names.append(pikepdf.String(key))
            names.append(element)
        root.IDTree = document.make_indirect(pikepdf.Dictionary(Names=names))
