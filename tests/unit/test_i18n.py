"""Every user-facing string is marked, extracted and in the committed en_GB catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "convo" / "translations" / "en_GB" / "LC_MESSAGES" / "messages.po"


def test_catalogue_is_complete_and_current(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
         str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "--no-location",
         "-o", str(pot), str(ROOT)],
        check=True,
    )
    with pot.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="en_GB")
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = extracted - translated
    assert not missing, f"run `make i18n-update`: {sorted(missing, key=str)[:10]}"
    assert len(extracted) > 50


def test_mo_is_not_committed():
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    assert tracked.strip() == ""
