"""The research a question draws on: seed ids to titles and years.

The seed texts live outside the repository (shared/seeds/), so their titles are written
here, taken from the first lines of each file.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from convo.questions.schema import SOURCE


@dataclass(frozen=True)
class Seed:
    id: str
    title: str
    year: int

    @property
    def citation(self) -> str:
        return f"{self.title} ({self.year})"


SEEDS: dict[str, Seed] = {
    seed.id: seed
    for seed in (
        Seed("000", "Research on Big Local relationships with public agencies: "
                    "invitation to tender", 2021),
        Seed("001", "Big Local relationships with public agencies", 2022),
        Seed("002", "Rebalancing the Power: five principles for a successful relationship "
                    "between councils and communities", 2018),
        Seed("003", "The role and impact of Locally Trusted Organisations", 2022),
        Seed("004", "Challenges and support needs of partnerships", 2021),
    )
}


def seed(seed_id: str) -> Seed | None:
    return SEEDS.get(seed_id)


def describe(ref: str) -> str:
    """"001:5.1" -> "Big Local relationships with public agencies (2022), section 5.1"."""
    match = SOURCE.fullmatch(ref)
    if not match or match["seed"] not in SEEDS:
        return ref
    cited = SEEDS[match["seed"]].citation
    section = match["section"].strip()
    if section[:1].isdigit():
        return str(_("%(source)s, section %(section)s", source=cited, section=section))
    return str(_("%(source)s, %(section)s", source=cited, section=section))
