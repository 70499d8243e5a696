"""`make screenshots`: run the browser tests and keep a PNG of every page state they reach.

    python -m tests.e2e.screenshots [FOLDER]      (default: screenshots/, git-ignored)

One sub-folder per test, the PNGs numbered in the order the states were reached, and an
index.html that shows them all, for reviewing by eye.  Every state is still checked (HTML,
axe, labels) as in `make test`.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def write_index(folder: Path) -> Path:
    parts = ["<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">",
             "<title>convo page states</title></head><body><h1>convo page states</h1>"]
    for test in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "failures"):
        parts.append(f"<h2>{html.escape(test.name)}</h2>")
        for png in sorted(test.glob("*.png")):
            name = html.escape(f"{test.name}/{png.name}")
            parts.append(f'<figure><figcaption>{html.escape(png.stem)}</figcaption>'
                         f'<a href="{name}"><img src="{name}" width="480" alt=""></a></figure>')
    parts.append("</body></html>")
    index = folder / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


def main(argv: list[str]) -> int:
    folder = Path(argv[0]).resolve() if argv else ROOT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # last run's states; failures/ belongs to `make test`
        if old.is_dir() and old.name != "failures":
            shutil.rmtree(old)
    os.environ["CONVO_SCREENSHOTS"] = str(folder)
    status = pytest.main([str(HERE), "-m", "e2e", "-q", "-p", "no:cacheprovider"])
    count = sum(1 for _ in folder.glob("*/*.png"))
    index = write_index(folder)
    print(f"{count} page states in {folder} (open {index})")
    return int(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
