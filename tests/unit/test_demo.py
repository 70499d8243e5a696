"""`convo demo --out DIR`: the research's health example, through the app's own code."""

from __future__ import annotations

import io

import docx
import pypdf
from click.testing import CliRunner

from convo.cli import main


def test_demo_writes_the_issued_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVO_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CONVO_SECRET_KEY", "demo-test-only")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pdf_text = "\n".join(page.extract_text() for page in
                         pypdf.PdfReader(io.BytesIO((out / "summary.pdf").read_bytes())).pages)
    flat = " ".join(pdf_text.split())
    for expected in ("Millbrook Big Local", "Millbrook Primary Care Network",
                     "Tuesday 14 September 2021", "Long COVID", "The crisis in homecare",
                     "Strengthen social prescribing", "Version 1"):
        assert expected in flat, expected
    assert "Chris Barnes" not in flat  # asked not to be named: by role only
    assert "Primary Care Network manager" in flat
    document = docx.Document(str(out / "summary.docx"))
    words = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Hold a joint 'waiting well' drop-in at the hub" in words
    assert "Chris Barnes" not in words
    assert document.core_properties.author == "Morgan Ellis"
    # issue 18: the issue time as Created, and keywords that say what it is about
    assert document.core_properties.created is not None
    assert document.core_properties.created.year >= 2026
    assert document.core_properties.keywords.startswith(
        "Millbrook Big Local; Millbrook Primary Care Network; Health agency")


def test_demo_needs_an_output_folder():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 2
    assert "--out" in result.output
