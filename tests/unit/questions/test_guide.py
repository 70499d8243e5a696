"""The authoring guide's worked example is a real set: the files it shows pass the checker
strictly, with their own shared parts and the shipped ones, as the guide says they do."""

from __future__ import annotations

import re

from convo.questions.loader import SHIPPED_DIR, load_part, load_set

GUIDE = SHIPPED_DIR / "README.md"
PREFIX = "instance/question_sets/"


def example_files() -> dict[str, str]:
    text = GUIDE.read_text(encoding="utf-8")
    files = {}
    for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S):
        first, _newline, body = block.partition("\n")
        if first.startswith("# " + PREFIX):
            files[first[2 + len(PREFIX):]] = body
    return files


def test_the_worked_example_passes_the_checker_strictly(tmp_path):
    files = example_files()
    assert set(files) == {"library_service.yaml", "shared/library_groups.yaml",
                          "shared/library_notes.yaml"}
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    loaded = load_set(tmp_path / "library_service.yaml")
    assert [p.format() for p in loaded.problems] == []
    qs = loaded.question_set
    assert qs is not None and qs.duration_minutes == sum(s.minutes for s in qs.stages) == 75
    # its own parts are used beside the shipped ones
    assert "lib_know_groups" in [q.id for q in qs.questions()]
    assert [n.id for n in qs.toolkit][-1] == "when_closure_comes_up"
    assert "parking_lot" in [n.id for n in qs.toolkit]
    assert qs.ground_rules[-1].startswith("Worries about the library's future")
    for part in ("library_groups", "library_notes"):
        assert load_part(tmp_path / "shared" / f"{part}.yaml").problems == ()


def test_the_guide_points_at_what_is_really_there():
    text = GUIDE.read_text(encoding="utf-8")
    assert "shared/seeds" not in text  # the research is not in the repository
    assert "seed 004, section 1" not in text and "004:Part one" in text
    assert "convo/questions/seeds.yaml" in text
    for part in SHIPPED_DIR.joinpath("shared").glob("*.yaml"):
        assert f"`{part.stem}`" in text, f"the guide's table of shared parts lacks {part.stem}"
