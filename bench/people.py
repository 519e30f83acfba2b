"""Made-up patients in bulk, written straight into `patients.patient` with COPY.

The names mix common US given and family names with accented and apostrophe names, drawn with
Zipf-like weights so a few names are common and most are rare, as in a real list. The search
keys are folded with the service's own `fold`, exactly as the ORM writes them.
"""

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import asyncpg

from services.patients.names import fold

GIVEN_NAMES = (
    "Mary", "James", "Maria", "John", "Jennifer", "Robert", "Linda", "Michael", "Patricia",
    "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Margaret",
    "Anthony", "Betty", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Dorothy", "Paul",
    "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kenneth", "Michelle", "Kevin", "Carol",
    "Brian", "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
    "Rebecca", "Jason", "Laura", "Jeffrey", "Sharon", "Ryan", "Cynthia", "Jacob", "Kathleen",
    "Gary", "Amy", "Nicholas", "Shirley", "Eric", "Angela", "Jonathan", "Helen", "Stephen",
    "Anna", "Larry", "Brenda", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Samantha",
    "Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Emma", "Frank", "Catherine",
    "Alexander", "Debra", "Raymond", "Rachel", "Patrick", "Carolyn", "Jack", "Janet", "Dennis",
    "Virginia", "Jerry", "Olivia", "Tyler", "Sophia", "Aaron", "Isabella", "Jose", "Mia",
    "Henry", "Ava", "Adam", "Abigail", "Nathan", "Chloe", "Zachary", "Grace", "Ethan", "Lily",
    "José", "Zoë", "Chloé", "Renée", "André", "Inés", "María", "Jesús", "Ramón", "Sofía",
    "Noémie", "Héctor", "Joël", "Björn", "Søren", "Łukasz", "Zoé", "Agnès", "Brontë", "Raphaël",
    "Xiomara", "Yolanda", "Quentin", "Uriel", "Ulysses", "Quincy", "Ximena", "Yusuf", "Zara",
    "Ivan", "Oscar", "Omar", "Irene", "Vincent", "Victoria", "Wayne", "Walter", "Ursula",
)  # fmt: skip
FAMILY_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Núñez", "Peña", "Muñoz", "Ibáñez", "Gómez", "Hernández", "Martínez", "Pérez", "Rodríguez",
    "López", "González", "Sánchez", "Ramírez", "Jiménez", "Müller", "Šimić", "Dvořák", "Østergaard",
    "O'Brien", "O'Neill", "D'Angelo", "McDonald", "MacArthur", "Nguyễn", "Trần", "Lê", "Phạm",
    "Zimmerman", "Quinn", "Underwood", "Vasquez", "Xu", "Yamamoto", "Zhang", "Ivanova", "Okafor",
    "Usman", "Varga", "Quintero", "Ybarra", "Zuniga", "Villanueva", "Washington", "Yoder",
)  # fmt: skip
NICKNAMES = {
    "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Katherine": "Kate",
    "Richard": "Rick", "Margaret": "Peggy", "Michael": "Mike", "Jennifer": "Jen",
    "Christopher": "Chris", "Patricia": "Trish", "Joseph": "Joe", "Samantha": "Sam",
    "Alexander": "Alex", "Benjamin": "Ben", "Nicholas": "Nick", "José": "Pepe", "Jesús": "Chuy",
}  # fmt: skip
LOCATIONS = ("gaithersburg", "frederick", "columbia")
LOCATION_WEIGHTS = (5, 3, 2)
SEXES = ("female", "male", "other", "unknown")
SEX_WEIGHTS = (52, 46, 1, 1)
AREA_CODES = ("301", "240", "410", "443")
ARCHIVE_REASONS = ("moved away", "duplicate record", "discharged, no visit in three years")
CITIES = {"gaithersburg": "Gaithersburg", "frederick": "Frederick", "columbia": "Columbia"}
ARCHIVED_FRACTION = 0.05
FIRST_BIRTH, LAST_BIRTH = date(1930, 1, 1), date(2010, 12, 31)
EPOCH = datetime(2021, 1, 1, tzinfo=UTC)

COLUMNS = (
    "id", "given_name", "family_name", "preferred_name", "birth_date", "sex", "phone", "email",
    "address", "home_location", "status", "archived_at", "archive_reason", "version",
    "family_key", "given_key", "preferred_key", "created_at", "updated_at",
)  # fmt: skip
Record = tuple[object, ...]


@dataclass(frozen=True)
class Person:
    """What the search mix needs to know of one generated patient."""

    given_name: str
    family_name: str
    birth_date: date
    phone: str
    home_location: str
    active: bool


def zipf_weights(count: int, offset: int) -> list[float]:
    """Weights that fall off with rank: the first names of a list are the common ones."""
    return [1 / (rank + offset) for rank in range(count)]


@cache
def folded(name: str | None) -> str:
    return fold(name)


def phone_for(index: int) -> str:
    """A distinct, valid US number per index (E.164); the exchange never ends in 11."""
    area = AREA_CODES[index % len(AREA_CODES)]
    serial = (index // len(AREA_CODES)) * 7_919 % 7_200_000  # 7919 is prime: a permutation
    exchange, line = 200 + serial // 10_000, serial % 10_000
    if exchange % 100 == 11:
        exchange += 1
    return f"+1{area}{exchange:03d}{line:04d}"


class Generator:
    """Draws patients from fixed name lists with one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._given_w = zipf_weights(len(GIVEN_NAMES), 10)
        self._family_w = zipf_weights(len(FAMILY_NAMES), 20)

    def family_name(self) -> str:
        first, second = self.rng.choices(FAMILY_NAMES, self._family_w, k=2)
        return f"{first}-{second}" if self.rng.random() < 0.03 and first != second else first

    def person(self, index: int) -> Person:
        days = (LAST_BIRTH - FIRST_BIRTH).days
        return Person(
            given_name=self.rng.choices(GIVEN_NAMES, self._given_w)[0],
            family_name=self.family_name(),
            birth_date=FIRST_BIRTH + timedelta(days=self.rng.randrange(days + 1)),
            phone=phone_for(index),
            home_location=self.rng.choices(LOCATIONS, LOCATION_WEIGHTS)[0],
            active=self.rng.random() >= ARCHIVED_FRACTION,
        )

    def moment(self) -> datetime:
        return EPOCH + timedelta(seconds=self.rng.randrange(5 * 365 * 86_400))

    def record(self, person: Person) -> Record:
        preferred = NICKNAMES.get(person.given_name) if self.rng.random() < 0.3 else None
        created = self.moment()
        archived = None if person.active else max(created, self.moment())
        return (
            uuid.UUID(int=self.rng.getrandbits(128), version=4),
            person.given_name,
            person.family_name,
            preferred,
            person.birth_date,
            self.rng.choices(SEXES, SEX_WEIGHTS)[0],
            person.phone,
            self.email(person),
            self.address(person),
            person.home_location,
            "active" if person.active else "archived",
            archived,
            None if archived is None else self.rng.choice(ARCHIVE_REASONS),
            1,
            folded(person.family_name),
            folded(person.given_name),
            folded(preferred),
            created,
            archived or created,
        )

    def email(self, person: Person) -> str | None:
        if self.rng.random() < 0.3:
            return None
        local = f"{folded(person.given_name)}.{folded(person.family_name)}".replace("'", "")
        return f"{local}{self.rng.randrange(1000)}@example.com"

    def address(self, person: Person) -> str | None:
        if self.rng.random() < 0.2:
            return None
        return json.dumps(
            {
                "line1": f"{self.rng.randrange(1, 20000)} {self.rng.choice(FAMILY_NAMES)} Street",
                "city": CITIES[person.home_location],
                "state": "MD",
                "postal_code": f"2{self.rng.randrange(10_000):04d}",
            }
        )


def generate(count: int, rng: random.Random) -> tuple[list[Person], list[Record]]:
    """`count` patients: what the search mix draws from, and the rows to COPY."""
    generator = Generator(rng)
    people = [generator.person(i) for i in range(count)]
    return people, [generator.record(p) for p in people]


async def load(dsn: str, records: Sequence[Record]) -> tuple[int, str]:
    """COPY the rows into patients.patient, then VACUUM (ANALYZE) it; the table's row count
    and the server's version.

    VACUUM as well as ANALYZE: a table of that size in use has long been vacuumed (hint bits
    set, visibility map filled), and autovacuum then does not start in the middle of a run."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "patient", schema_name="patients", columns=list(COLUMNS), records=records
        )
        await conn.execute("VACUUM (ANALYZE) patients.patient")
        count = await conn.fetchval("SELECT count(*) FROM patients.patient")
        return int(count), str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
