"""The searches a front desk makes, drawn from the generated patients themselves.

Every kind gets an equal share of the requests, in a shuffled (seeded) order, so the overall
median is that of an even mix, and each kind has enough samples for its own median.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.people import LOCATIONS, Person


@dataclass(frozen=True)
class SearchQuery:
    kind: str
    params: dict[str, str]


def _name_of(rng: random.Random, person: Person) -> str:
    return person.family_name if rng.random() < 0.6 else person.given_name


def _prefix(length: int) -> Callable[[random.Random, Person], dict[str, str]]:
    def build(rng: random.Random, person: Person) -> dict[str, str]:
        return {"name": _name_of(rng, person)[:length]}

    return build


def _variant(rng: random.Random, person: Person) -> dict[str, str]:
    """Upper case, or the accented spelling, of a name or its start: JOSÉ, Núñ, SMI, ZOË."""
    accented = [n for n in (person.family_name, person.given_name) if not n.isascii()]
    name = rng.choice(accented) if accented else _name_of(rng, person)
    cut = name[: rng.randint(3, max(3, len(name)))]
    return {"name": cut.upper() if not accented or rng.random() < 0.5 else cut}


def _two_words(rng: random.Random, person: Person) -> dict[str, str]:
    given = person.given_name[: rng.randint(2, max(2, len(person.given_name)))]
    family = person.family_name[: rng.randint(2, max(2, len(person.family_name)))]
    return {"name": f"{given} {family}"}


def _birth_date(rng: random.Random, person: Person) -> dict[str, str]:
    return {"birth_date": person.birth_date.isoformat()}


def _phone(rng: random.Random, person: Person) -> dict[str, str]:
    """The number in one of the formats staff type: +13015550123, (301) 555-0123, ..."""
    digits = person.phone[2:]
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    formats = (person.phone, f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", digits)
    return {"phone": rng.choice(formats)}


def _location_name(rng: random.Random, person: Person) -> dict[str, str]:
    return {"home_location": rng.choice(LOCATIONS), "name": _name_of(rng, person)[:2]}


KINDS: dict[str, tuple[str, Callable[[random.Random, Person], dict[str, str]]]] = {
    "name-1": ("name=1 letter", _prefix(1)),
    "name-2": ("name=2 letters", _prefix(2)),
    "name-3": ("name=3 letters", _prefix(3)),
    "name-4": ("name=4 letters", _prefix(4)),
    "name-variant": ("name=upper-case or accented (JOSÉ, Núñ)", _variant),
    "two-words": ("name=two word starts (Mar Smi)", _two_words),
    "birth-date": ("birth_date=YYYY-MM-DD", _birth_date),
    "phone": ("phone=a patient's number, varied format", _phone),
    "location-name": ("home_location + name=2 letters", _location_name),
}


def _person_for(
    kind: str, people: Sequence[Person], accented: Sequence[Person], rng: random.Random
) -> Person:
    """A patient picked at random; for the variant kind, half the time one with an accent."""
    if kind == "name-variant" and accented and rng.random() < 0.5:
        return rng.choice(accented)
    return rng.choice(people)


def build_queries(people: Sequence[Person], count: int, rng: random.Random) -> list[SearchQuery]:
    """`count` searches, the kinds in equal shares, shuffled; names from patients picked at random
    (so a common name is picked often, as at a real front desk)."""
    accented = [p for p in people if not (p.family_name + p.given_name).isascii()]
    kinds, queries = list(KINDS), []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        person = _person_for(kind, people, accented, rng)
        queries.append(SearchQuery(kind, KINDS[kind][1](rng, person)))
    rng.shuffle(queries)
    return queries
