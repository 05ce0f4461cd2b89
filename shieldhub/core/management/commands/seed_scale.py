"""`shieldhub seed-scale`: generated directory data at the scale benchmarks need.

Deterministic (one `random.Random(seed)`), bulk inserts only: organisations, people (with their
search text, computed as the directory services compute it) and NCP nominations (about 300
active ones, plus lapsed and withdrawn ones). Countries come from the reference tables when they
are loaded (the WCO members), else from ISO 3166. Not for production databases.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from shieldhub.core.audit import audit_record
from shieldhub.directory.choices import NominationRole, NominationStatus, OrganisationKind, Title
from shieldhub.directory.models import NcpNomination, Organisation, Person
from shieldhub.directory.services import organisation_search_text, person_search_text

GIVEN = [
    "Élodie",
    "Jean",
    "Marie",
    "Pierre",
    "Amina",
    "Fatou",
    "Moussa",
    "Ibrahim",
    "Aïcha",
    "Kwame",
    "Wanjiru",
    "John",
    "Grace",
    "Peter",
    "Ana",
    "José",
    "Luis",
    "Carmen",
    "Sofía",
    "Mohammed",
    "Fatima",
    "Youssef",
    "Leïla",
    "Omar",
    "Olga",
    "Ivan",
    "Natalia",
    "Dmitri",
    "Li",
    "Wei",
    "Ming",
    "Hiroshi",
    "Yuki",
    "Anna",
    "Lukas",
    "Sophie",
    "Jonas",
    "Emma",
    "Noah",
    "Chloé",
    "Hugo",
    "Léa",
    "Thomas",
    "Zoë",
    "Benoît",
    "Anaïs",
    "Nguyen",
    "Thi",
    "Rahul",
    "Priya",
    "Ahmed",
    "Nour",
    "Karim",
    "Samira",
    "Oluwaseun",
    "Chidi",
    "Ngozi",
    "Baraka",
    "Neema",
    "Tendai",
    "Kofi",
    "Adwoa",
    "Mariam",
    "Hamza",
]
FAMILY = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Laurent",
    "Garcia",
    "Rodríguez",
    "Fernández",
    "López",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Rossi",
    "Russo",
    "Ferrari",
    "Otieno",
    "Kamau",
    "Mwangi",
    "Njoroge",
    "Ochieng",
    "Diallo",
    "Traoré",
    "Koné",
    "Ouédraogo",
    "Mensah",
    "Boateng",
    "Okafor",
    "Adeyemi",
    "Nguyen",
    "Tran",
    "Pham",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Sato",
    "Suzuki",
    "Tanaka",
    "Kim",
    "Park",
    "Lee",
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popescu",
    "Kowalski",
    "Nowak",
    "Horváth",
    "Novák",
    "Silva",
    "Santos",
    "Oliveira",
    "Pereira",
    "Costa",
    "Haddad",
    "Mansour",
    "Benali",
    "El-Amrani",
    "Khalil",
    "Hassan",
    "Said",
    "Abdi",
    "Mohamed",
    "Osei",
    "Banda",
    "Phiri",
    "Dlamini",
    "Nkosi",
    "Van-der-Berg",
    "De-Jong",
    "Jansen",
    "Andersson",
    "Johansson",
    "Hansen",
    "Nielsen",
    "O'Brien",
    "Murphy",
    "Smith",
    "Jones",
    "Taylor",
]
POSITIONS = (
    "Director",
    "Deputy Director",
    "Head of Enforcement",
    "Customs Officer",
    "Senior Customs Officer",
    "Risk Analyst",
    "Intelligence Officer",
    "Chef de bureau",
    "Inspecteur des douanes",
    "Trainer",
    "Liaison Officer",
    "Programme Manager",
    "",
)
KIND_NAMES = {
    OrganisationKind.CUSTOMS: ("Customs Administration", "CA"),
    OrganisationKind.POLICE: ("National Police", "NP"),
    OrganisationKind.INTERNATIONAL: ("International Office", "IO"),
    OrganisationKind.PRIVATE: ("Chemical Industry Association", "CIA"),
    OrganisationKind.TRAINING: ("Customs Training Centre", "CTC"),
    OrganisationKind.SUPPLIER: ("Detection Equipment Supplier", "DES"),
    OrganisationKind.OTHER: ("Ministry of Finance", "MOF"),
}
LANGS = ["en", "fr", "es", "ar", "pt", "ru", "zh", "sw", "de"]


def ascii_slug(text: str) -> str:
    """A name as lower-case ASCII letters, digits, dots and hyphens (for generated email addresses)."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c in ".-")).lower()


def member_countries() -> list[str]:
    """The WCO members' ISO codes (ISO 3166 when the reference tables are not loaded): where generated
    data lives."""
    try:
        from shieldhub.reference.models import Country

        codes = list(Country.objects.filter(wco_member=True).order_by("code").values_list("code", flat=True))
    except Exception:  # reference tables not migrated: fall back to ISO 3166
        codes = []
    if not codes:
        import pycountry

        codes = sorted(c.alpha_2 for c in pycountry.countries)
    return codes


def seed_scale(*, people: int, organisations: int, seed: int, active_nominations: int = 300) -> dict[str, Any]:
    """Insert the data; returns the counts and the time taken."""
    rng = random.Random(seed)
    started = time.perf_counter()
    countries = member_countries()
    now = timezone.now()
    tag = f"s{seed}"
    with transaction.atomic():
        # organisations: every country's customs first, then other kinds at random
        orgs: list[Organisation] = []
        kinds = list(KIND_NAMES)
        for i in range(organisations):
            country = countries[i % len(countries)]
            kind = OrganisationKind.CUSTOMS if i < len(countries) else rng.choice(kinds)
            label, short = KIND_NAMES[kind]
            number = i // len(countries)
            org = Organisation(
                name=f"{label} {country}" + (f" {number}" if number else "") + f" ({tag})",
                acronym=f"{short}{country}{number or ''}{tag.upper()}",
                kind=kind,
                country=country,
                email=f"contact@{short.lower()}{number}.{country.lower()}.{tag}.example",
                created_at=now,
                updated_at=now,
            )
            org.search_text = organisation_search_text(org)
            orgs.append(org)
        Organisation.objects.bulk_create(orgs, batch_size=2000)

        # people: spread over the organisations (a few big ones, many small ones)
        weights = [1.0 / (1 + (i % 50)) for i in range(len(orgs))]
        chosen = rng.choices(range(len(orgs)), weights=weights, k=people)
        batch: list[Person] = []
        created = 0
        for i in range(people):
            employer: Organisation | None = orgs[chosen[i]] if rng.random() > 0.05 else None
            given = rng.choice(GIVEN)
            family = rng.choice(FAMILY)
            country = str(employer.country) if employer is not None else rng.choice(countries)
            langs = rng.sample(LANGS, k=rng.choice((1, 1, 2, 3)))
            person = Person(
                title=rng.choice([t.value for t in Title]),
                given_name=given,
                family_name=family,
                position=rng.choice(POSITIONS),
                organisation=employer,
                country=country,
                email=f"{ascii_slug(given)}.{ascii_slug(family)}.{tag}.{i}@{country.lower()}.example",
                other_emails=[f"{ascii_slug(family)}{i}@mail.example"] if rng.random() < 0.1 else [],
                phones=[f"+{rng.randint(1, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"]
                if rng.random() < 0.7
                else [],
                languages=langs,
                preferred_language="fr" if "fr" in langs and rng.random() < 0.7 else "en",
                last_verified_on=(now - dt.timedelta(days=rng.randint(0, 900))).date() if rng.random() < 0.6 else None,
                created_at=now,
                updated_at=now,
            )
            person.search_text = person_search_text(person)
            batch.append(person)
            if len(batch) >= 5000:
                Person.objects.bulk_create(batch, batch_size=5000)
                created += len(batch)
                batch = []
        if batch:
            Person.objects.bulk_create(batch, batch_size=5000)
            created += len(batch)

        # nominations: customs staff of member countries; ~`active_nominations` active ones
        nominations: list[NcpNomination] = []
        if people:
            pool = list(
                Person.objects.filter(email__contains=f".{tag}.", organisation__kind=OrganisationKind.CUSTOMS)
                .order_by("id")
                .values_list("id", "country", "organisation_id")[:20000]
            )
            rng.shuffle(pool)
            active = 0
            per_country: dict[str, int] = {}
            for pk, country, org_id in pool:
                if active >= active_nominations:
                    break
                count = per_country.get(country, 0)
                if count >= 3:
                    continue
                per_country[country] = count + 1
                active += 1
                nominations.append(
                    NcpNomination(
                        person_id=pk,
                        country=country,
                        agency_id=org_id,
                        role=NominationRole.PRIMARY if count == 0 else NominationRole.ALTERNATE,
                        status=NominationStatus.ACTIVE,
                        nominated_on=(now - dt.timedelta(days=rng.randint(30, 1500))).date(),
                    )
                )
            for pk, country, org_id in pool[-active_nominations // 3 :]:
                nominations.append(
                    NcpNomination(
                        person_id=pk,
                        country=country,
                        agency_id=org_id,
                        role=NominationRole.PRIMARY,
                        status=rng.choice([NominationStatus.LAPSED, NominationStatus.WITHDRAWN]),
                        nominated_on=(now - dt.timedelta(days=rng.randint(1500, 4000))).date(),
                    )
                )
            NcpNomination.objects.bulk_create(nominations, batch_size=2000)
        figures: dict[str, Any] = {
            "organisations": len(orgs),
            "people": created,
            "nominations": len(nominations),
            "active_nominations": sum(1 for n in nominations if n.status == NominationStatus.ACTIVE),
            "seed": seed,
        }
        audit_record(actor="seed-scale", action="core.seed_scale", object_type="directory.person", extra=figures)
    if connection.vendor == "postgresql":
        # Fresh planner statistics after a bulk load; otherwise PostgreSQL plans for empty tables
        # until autovacuum gets round to it.
        with connection.cursor() as cursor:
            for model in (Organisation, Person, NcpNomination):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    figures["seconds"] = round(time.perf_counter() - started, 2)
    return figures


class Command(BaseCommand):
    help = "Generate directory data at scale (deterministic): organisations, people, NCP nominations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=50_000)
        parser.add_argument("--organisations", type=int, default=2_000)
        parser.add_argument("--nominations", type=int, default=300, help="active NCP nominations to create")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 0 or options["organisations"] < 1:
            raise CommandError("--people must be >= 0 and --organisations >= 1")
        figures = seed_scale(
            people=options["people"],
            organisations=options["organisations"],
            seed=options["seed"],
            active_nominations=options["nominations"],
        )
        self.stdout.write(
            "Created {organisations} organisations, {people} people, {nominations} nominations "
            "({active_nominations} active) in {seconds} s (seed {seed}).".format(**figures)
        )
