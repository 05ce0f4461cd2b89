"""`shieldhub seed_exchange`: generated exchange traffic at the scale the benchmarks need.

Deterministic (one `random.Random(seed)`), bulk inserts only (COPY on PostgreSQL), not for
production databases. It creates, once per seed, users (the secretariat, partners and NCPs of many
countries, all with roles) and communities (the global one, one per WCO region, ad hoc and operation
groups) with their members; then messages in English and French about precursors, sent over the
last two years, with what `services.message_send` records: distribution targets, recipients
resolved as the service resolves them (community members, a country's NCPs, named people; the
sender left out; partners only where releasable), countries involved, precursors, version 1, plus
replies in threads, corrections and withdrawals. Older messages are mostly read (and alerts
acknowledged, requests answered); recent ones much less.

The mix: 10% to the global community (about 300 recipients), 30% to a WCO region (30-60),
25% to an ad hoc or operation group (5-30), 15% to one to three countries, 8% to named people
and 12% replies. 200,000 messages give about nine million recipient rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from shieldhub.accounts.models import RoleGrant, User
from shieldhub.core.audit import audit_record
from shieldhub.core.management.commands.seed_scale import FAMILY, GIVEN, ascii_slug, member_countries
from shieldhub.directory.models import Community, Membership
from shieldhub.exchange.models import (
    Message,
    MessageCountry,
    MessageDistribution,
    MessageRecipient,
    MessageVersion,
)

SECRETARIAT = ["coordinator", "analyst", "analyst", "trainer", "assistant", "coordinator", "analyst", "assistant"]
PARTNERS = ["interpol", "interpol", "interpol", "unodc", "unodc", "unodc"]
KINDS = [("alert", 25), ("information", 43), ("rfi", 15), ("operational", 12), ("special_alert", 5)]
TLPS = [("clear", 10), ("green", 30), ("amber", 45), ("amber_strict", 10), ("red", 5)]
CHUNK = 5_000

# (English, French, HS code): what the messages talk about.
PRECURSORS = [
    ("ammonium nitrate", "nitrate d'ammonium", "3102.30"),
    ("calcium ammonium nitrate", "nitrate d'ammonium et de calcium", "3102.40"),
    ("hydrogen peroxide", "peroxyde d'hydrogène", "2847.00"),
    ("potassium chlorate", "chlorate de potassium", "2829.19"),
    ("sodium chlorate", "chlorate de sodium", "2829.11"),
    ("potassium perchlorate", "perchlorate de potassium", "2829.90"),
    ("potassium nitrate", "nitrate de potassium", "2834.21"),
    ("nitromethane", "nitrométhane", "2904.20"),
    ("nitric acid", "acide nitrique", "2808.00"),
    ("sulphuric acid", "acide sulfurique", "2807.00"),
    ("acetone", "acétone", "2914.11"),
    ("urea", "urée", "3102.10"),
    ("aluminium powder", "poudre d'aluminium", "7603.10"),
    ("hexamine", "hexamine", "2933.69"),
    ("detonators", "détonateurs", "3603.30"),
    ("safety fuses", "mèches de sûreté", "3603.10"),
]
PORTS = [
    "Mombasa", "Dar es Salaam", "Dakar", "Abidjan", "Lagos", "Tema", "Lomé", "Cotonou", "Douala", "Djibouti",
    "Le Havre", "Marseille", "Antwerp", "Rotterdam", "Hamburg", "Algeciras", "Piraeus", "Mersin", "Jebel Ali",
    "Karachi", "Chittagong", "Colombo", "Port Klang", "Singapore", "Manila", "Callao", "Santos", "Cartagena",
    "Manzanillo", "Nouakchott", "Conakry", "Pointe-Noire", "Beira", "Durban", "Port Sudan", "Aqaba", "Tanger Med",
]  # fmt: skip
COVERS = [
    ("fertiliser", "engrais"),
    ("cleaning products", "produits de nettoyage"),
    ("textile chemicals", "produits chimiques textiles"),
    ("mining supplies", "fournitures minières"),
    ("food additives", "additifs alimentaires"),
    ("paint", "peinture"),
    ("swimming pool chemicals", "produits pour piscines"),
]
COMPANY_A = ["Sahel", "Atlas", "Blue Lagoon", "Horizon", "Kilimanjaro", "Delta", "Baobab", "Coral", "Savanna", "Nile"]
COMPANY_B = ["Agro", "Chemicals", "Trading", "Logistics", "Industries", "Mining", "Import-Export", "Supplies"]
COMPANY_C = ["Ltd", "SARL", "SA", "LLC", "GmbH", "FZE", "Plc"]
OPERATIONS = ["Cobalt", "Mekong Shield", "Sahel Watch", "Red Sea", "Lake Victoria", "Andes", "Harmattan", "Monsoon"]
TAGS = ["urgent", "follow-up", "training", "port", "airport", "postal", "land border", "controlled delivery"]

SUBJECTS_EN = [
    "Seizure of {qty} of {p} at {port}",
    "Suspicious consignment of {p} bound for {country}",
    "Request: end users of {p} imported through {port}",
    "Alert: {p} misdeclared as {cover}",
    "Controlled delivery of {p} via {port}",
    "{p}: new concealment method at {port}",
    "Operation {op}: {p} shipments to watch",
]
SUBJECTS_FR = [
    "Saisie de {qty} de {p} au port de {port}",
    "Envoi suspect de {p} à destination de {country}",
    "Demande : destinataires de {p} importé par {port}",
    "Alerte : {p} déclaré comme {cover}",
    "Livraison surveillée de {p} via {port}",
    "{p} : nouvelle méthode de dissimulation à {port}",
    "Opération {op} : envois de {p} à surveiller",
]
# Sentences of a body: each slot is filled at random, and a body draws two to five of them.
SENTENCES_EN = [
    "Container {container} was examined on {date} at {port}.",
    "The {place} team inspected container {container} on {date}.",
    "A {vehicle} from {port2} was stopped at the {border} crossing on {date}.",
    "The declared consignee is {company}, {country}.",
    "The shipper, {company}, was registered {months} months ago.",
    "The goods were declared under HS {hs} as {cover}.",
    "The declaration described the cargo as {cover}; the HS code given was {hs}.",
    "Quantity: {qty}; the importer holds no licence for {p}.",
    "About {qty} of {p} were found in {packages}.",
    "Please check your records for shipments by {company} and reply.",
    "Could you confirm whether {company} is known to your services?",
    "Risk indicators: new importer, cash payment, route through {port2}.",
    "The route through {port2} and the {payment} payment raised our attention.",
    "Laboratory analysis confirmed {p} at {pct}% concentration.",
    "A field test kit gave a positive result for {p}.",
    "Partners in operation {op} are asked to flag similar declarations.",
    "This case is linked to operation {op}.",
    "The precursor was hidden among {packages} of {cover}.",
    "X-ray images showed anomalies in {packages}.",
    "The driver stated that the load was {cover} for a {client}.",
    "Documents appear to have been altered; the invoice is dated {date}.",
    "The consignment was detained pending further checks.",
    "We shared the case with the national police and the prosecutor.",
    "Further details will follow after the interview of the {role}.",
]
SENTENCES_FR = [
    "Le conteneur {container} a été contrôlé le {date} à {port}.",
    "L'équipe {place} a inspecté le conteneur {container} le {date}.",
    "Un {vehicle} en provenance de {port2} a été arrêté au poste de {border} le {date}.",
    "Le destinataire déclaré est {company}, {country}.",
    "L'expéditeur, {company}, a été immatriculé il y a {months} mois.",
    "Les marchandises étaient déclarées sous le SH {hs} comme {cover}.",
    "La déclaration décrivait la cargaison comme {cover} ; le code SH indiqué était {hs}.",
    "Quantité : {qty} ; l'importateur ne détient aucune licence pour le {p}.",
    "Environ {qty} de {p} ont été découverts dans {packages}.",
    "Merci de vérifier vos registres pour les envois de {company} et de répondre.",
    "Pouvez-vous confirmer si {company} est connue de vos services ?",
    "Indicateurs de risque : nouvel importateur, paiement en espèces, transit par {port2}.",
    "Le transit par {port2} et le paiement {payment} ont attiré notre attention.",
    "L'analyse en laboratoire a confirmé la présence de {p} à {pct} %.",
    "Un kit de détection a donné un résultat positif pour le {p}.",
    "Les partenaires de l'opération {op} sont invités à signaler des déclarations similaires.",
    "Cette affaire est liée à l'opération {op}.",
    "Le précurseur était dissimulé dans {packages} déclarés comme « {cover} ».",
    "Les images radioscopiques montraient des anomalies dans {packages}.",
    "Le chauffeur a déclaré que le chargement était destiné à un {client}.",
    "Les documents semblent avoir été falsifiés ; la facture est datée du {date}.",
    "L'envoi a été retenu dans l'attente de contrôles complémentaires.",
    "Nous avons transmis le dossier à la police nationale et au parquet.",
    "D'autres précisions suivront après l'audition du {role}.",
]
PLACES = [("mobile", "mobile"), ("port", "portuaire"), ("airport", "aéroportuaire"), ("risk", "de ciblage")]
VEHICLES = [("lorry", "camion"), ("van", "fourgon"), ("bus", "autocar"), ("pick-up", "pick-up")]
BORDERS = ["Namanga", "Busia", "Malaba", "Rosso", "Kidira", "Seme", "Aflao", "Moyale", "Chirundu", "Beitbridge"]
PACKAGES = [
    ("bags", "sacs"),
    ("drums", "fûts"),
    ("cartons", "cartons"),
    ("pallets", "palettes"),
    ("jerrycans", "bidons"),
]
PAYMENTS = [("cash", "en espèces"), ("third-party", "par un tiers"), ("advance", "anticipé")]
CLIENTS = [("farm", "exploitation agricole"), ("mine", "mine"), ("quarry", "carrière"), ("hotel", "hôtel")]
ROLES = [("driver", "chauffeur"), ("importer", "importateur"), ("broker", "commissionnaire"), ("shipper", "expéditeur")]
REPLIES_EN = [
    "Thank you. We checked {company}: no shipment in our records.",
    "We found two declarations by {company} through {port}; details to follow.",
    "Noted; our risk profile for {p} has been updated.",
]
REPLIES_FR = [
    "Merci. Aucune expédition de {company} dans nos registres.",
    "Nous avons trouvé deux déclarations de {company} via {port} ; détails à suivre.",
    "Bien noté ; notre profil de risque pour le {p} a été mis à jour.",
]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class _Writer:
    """Rows into a table: COPY on PostgreSQL, executemany elsewhere. Columns the caller does not
    give get their model default (so a field added later does not break the generator)."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.columns = [fields[name].column for name in given]
        self.defaults: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.attname in given or f.primary_key:
                continue
            self.columns.append(f.column)
            self.defaults.append(f.get_db_prep_save(f.get_default(), connection))
        self.tail = tuple(self.defaults)

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        count = 0
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + self.tail)
                        count += 1
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                adapt = connection.ops.adapt_datetimefield_value
                batch = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row + self.tail) for row in rows]
                cursor.executemany(f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})", batch)  # noqa: S608
                count = len(batch)
        return count


class _BulkLoad:
    """PostgreSQL: drop the secondary indexes, unique constraints and foreign keys of the tables
    being loaded, put them back at the end. Building an index once is much faster than updating it
    row by row, and a foreign key added to a full table is checked in one pass instead of ten
    million checks at COMMIT."""

    def __init__(self, models_: Sequence[type[models.Model]]) -> None:
        self.tables = [m._meta.db_table for m in models_]
        self.constraints: list[tuple[str, str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self) -> None:
        if connection.vendor != "postgresql":
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may remain on these tables
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[]) ORDER BY contype",
                [self.tables],
            )
            self.constraints = list(cursor.fetchall())  # foreign keys first
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND i.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
                [self.tables],
            )
            self.indexes = list(cursor.fetchall())
            for table, name, _kind, _definition in self.constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def __exit__(self, *exc: object) -> None:
        if connection.vendor != "postgresql" or exc[0] is not None:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for table, name, _kind, definition in reversed(self.constraints):  # unique ones, then keys
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


class _People:
    """The generated users, their roles and communities."""

    def __init__(self, rng: random.Random, tag: str, users: int, communities: int) -> None:
        self.rng = rng
        existing = list(User.objects.filter(email__endswith=f".{tag}@bench.example").order_by("pk"))
        if not existing:
            self._create(tag, users, communities)
            existing = list(User.objects.filter(email__endswith=f".{tag}@bench.example").order_by("pk"))
        self.users = existing
        roles: dict[int, set[str]] = {}
        for user_id, role in RoleGrant.objects.filter(user__in=existing).values_list("user_id", "role"):
            roles.setdefault(user_id, set()).add(role)
        self.partner_of = {u.pk: u.partner_organisation for u in existing if u.partner_organisation}
        self.country_of = {u.pk: str(u.country or "") for u in existing}
        self.secretariat = [u.pk for u in existing if roles.get(u.pk, set()) - {"ncp", "partner"}]
        self.ncps = [u.pk for u in existing if "ncp" in roles.get(u.pk, set())]
        self.ncps_of: dict[str, list[int]] = {}
        for u in existing:
            if u.pk in self.ncps and u.country:
                self.ncps_of.setdefault(str(u.country), []).append(u.pk)
        self.countries = sorted(self.ncps_of)
        self.country_names: dict[str, tuple[str, str]] = {}
        try:
            from shieldhub.reference.models import Country

            for code, name_en, name_fr in Country.objects.values_list("code", "name_en", "name_fr"):
                self.country_names[str(code)] = (name_en, name_fr or name_en)
        except Exception:  # reference tables absent: codes stand for names
            self.country_names = {}
        self.communities = list(Community.objects.filter(slug__startswith=f"bench-{tag}-").order_by("pk"))
        members: dict[int, list[int]] = {}
        for community_id, user_id in Membership.objects.filter(community__in=self.communities).values_list(
            "community_id", "user_id"
        ):
            members.setdefault(community_id, []).append(user_id)
        self.members = members
        self.global_ = next(c for c in self.communities if c.kind == "global")
        self.regional = [c for c in self.communities if c.kind == "regional"]
        self.groups = [c for c in self.communities if c.kind in ("adhoc", "operation")]

    @staticmethod
    def _region(regions: dict[str, str], codes: list[str], countries: list[str], country: str) -> str:
        fallback = codes[countries.index(country) % len(codes)] if country in countries else codes[0]
        return regions.get(country, fallback)

    def _create(self, tag: str, users: int, communities: int) -> None:
        rng = self.rng
        countries = member_countries()
        regions: dict[str, str] = {}
        try:
            from shieldhub.reference.models import Country

            regions = {
                str(code): str(region)
                for code, region in Country.objects.exclude(wco_region=None).values_list("code", "wco_region_id")
            }
        except Exception:  # reference tables absent: regions by position
            regions = {}
        password = make_password(None)
        now = timezone.now()
        created: list[User] = []
        grants: list[RoleGrant] = []
        for i in range(users):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            if i < len(SECRETARIAT):
                role, country, partner = SECRETARIAT[i], "", ""
            elif i < len(SECRETARIAT) + len(PARTNERS):
                role, country, partner = "partner", "", PARTNERS[i - len(SECRETARIAT)]
            else:
                # about two NCPs per country over the first ~140 countries
                role, country, partner = "ncp", countries[(i // 2) % min(len(countries), 140)], ""
            user = User(
                email=f"{ascii_slug(given)}.{ascii_slug(family)}.{i}.{tag}@bench.example",
                full_name=f"{given} {family}",
                language="fr" if rng.random() < 0.35 else "en",
                country=country,
                partner_organisation=partner,
                password=password,
                date_joined=now,
            )
            created.append(user)
        User.objects.bulk_create(created, batch_size=1000)
        created = list(User.objects.filter(email__endswith=f".{tag}@bench.example").order_by("pk"))
        for i, user in enumerate(created):
            role = (
                SECRETARIAT[i] if i < len(SECRETARIAT) else "partner" if i < len(SECRETARIAT) + len(PARTNERS) else "ncp"
            )
            grants.append(RoleGrant(user=user, role=role))
        RoleGrant.objects.bulk_create(grants)

        ncps = created[len(SECRETARIAT) + len(PARTNERS) :]
        secretariat = created[: len(SECRETARIAT)]
        partners = created[len(SECRETARIAT) : len(SECRETARIAT) + len(PARTNERS)]
        groups: list[tuple[Community, list[User]]] = [
            (Community(name=f"Global PGS community ({tag})", slug=f"bench-{tag}-global", kind="global"), created)
        ]
        region_codes = sorted(set(regions.values())) or ["R1", "R2", "R3", "R4", "R5", "R6"]
        for n, code in enumerate(region_codes[: max(1, min(6, communities - 1))]):
            in_region = [u for u in ncps if self._region(regions, region_codes, countries, str(u.country)) == code]
            if len(in_region) > 60:
                in_region = rng.sample(in_region, 60)
            people = in_region + rng.sample(secretariat, 3) + rng.sample(partners, 1)
            groups.append(
                (
                    Community(
                        name=f"WCO region {code} ({tag})", slug=f"bench-{tag}-r{n}", kind="regional", region=code
                    ),
                    people,
                )
            )
        for n in range(communities - len(groups)):
            size = rng.randint(5, 30)
            kind = "operation" if n % 3 == 0 else "adhoc"
            name = f"Operation {OPERATIONS[n % len(OPERATIONS)]} {n}" if kind == "operation" else f"Working group {n}"
            people = rng.sample(ncps, size - 1) + rng.sample(secretariat, 1)
            groups.append((Community(name=f"{name} ({tag})", slug=f"bench-{tag}-g{n}", kind=kind), people))
        Community.objects.bulk_create([c for c, _ in groups])
        saved = {c.slug: c for c in Community.objects.filter(slug__startswith=f"bench-{tag}-")}
        Membership.objects.bulk_create(
            [
                Membership(community=saved[c.slug], user=u)
                for c, people in groups
                for u in {p.pk: p for p in people}.values()
            ],
            batch_size=5000,
        )


def _message_times(rng: random.Random, count: int, days: int, now: dt.datetime) -> list[dt.datetime]:
    """Sent times over `days`, more of them recent (traffic grows), oldest first."""
    span = days * 86400
    seconds = sorted(span * rng.random() ** 0.7 for _ in range(count))
    return [now - dt.timedelta(seconds=span - s) - dt.timedelta(minutes=5) for s in seconds]


def seed_exchange(
    *, users: int = 300, communities: int = 40, messages: int = 200_000, seed: int = 1, days: int = 730
) -> dict[str, Any]:
    """Insert the data; returns the counts and the time taken."""
    rng = random.Random(seed)  # noqa: S311 (generated data, not secrets)
    started = time.perf_counter()
    tag = f"x{seed}"
    now = timezone.now()
    catalogue: list[int] = []
    try:
        from shieldhub.reference.models import CatalogueItem

        catalogue = list(CatalogueItem.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    except Exception:  # reference tables absent
        catalogue = []
    with transaction.atomic():
        people = _People(rng, tag, users, communities)
        message_writer = _Writer(
            Message,
            [
                "id", "kind", "subject", "body", "language", "tlp", "releasable_interpol", "releasable_unodc",
                "sender_id", "sender_country", "thread_root_id", "in_reply_to_id", "hs_codes", "tags", "status",
                "version", "sent_at", "created_at", "deadline",
            ],
        )  # fmt: skip
        recipient_writer = _Writer(
            MessageRecipient,
            ["message_id", "user_id", "reason", "reason_detail", "read_at", "acknowledged_at", "answer_status",
             "answered_at", "sent_at", "kind"],
        )  # fmt: skip
        distribution_writer = _Writer(
            MessageDistribution, ["message_id", "target_kind", "community_id", "country", "user_id"]
        )
        country_writer = _Writer(MessageCountry, ["message_id", "country", "role"])
        version_writer = _Writer(
            MessageVersion, ["message_id", "number", "subject", "body", "change", "note", "edited_by_id", "created_at"]
        )
        through = Message.precursors.through
        precursor_writer = _Writer(through, ["message_id", "catalogueitem_id"])
        json = Message._meta.get_field("tags")

        def as_json(value: list[str]) -> Any:
            return json.get_db_prep_save(value, connection)

        loaded = (Message, MessageRecipient, MessageDistribution, MessageCountry, MessageVersion, through)
        times = _message_times(rng, messages, days, now)
        recent: deque[tuple[Any, ...]] = deque(maxlen=400)
        totals = dict.fromkeys(("messages", "recipients", "distribution", "versions", "replies"), 0)
        with _BulkLoad(loaded):
            for chunk_start in range(0, messages, CHUNK):
                size = min(CHUNK, messages - chunk_start)
                ids = _next_ids(Message, size)
                message_rows: list[tuple[Any, ...]] = []
                recipient_rows: list[tuple[Any, ...]] = []
                distribution_rows: list[tuple[Any, ...]] = []
                country_rows: list[tuple[Any, ...]] = []
                version_rows: list[tuple[Any, ...]] = []
                precursor_rows: list[tuple[Any, ...]] = []
                for offset, pk in enumerate(ids):
                    sent_at = times[chunk_start + offset]
                    row = _one_message(rng, people, pk, sent_at, now, recent, catalogue)
                    message_rows.append(
                        (
                            pk, row["kind"], row["subject"], row["body"], row["language"], row["tlp"],
                            row["interpol"], row["unodc"], row["sender"], row["sender_country"], row["thread_root"],
                            row["in_reply_to"], as_json(row["hs_codes"]), as_json(row["tags"]), row["status"],
                            row["version"], sent_at, sent_at, row["deadline"],
                        )
                    )  # fmt: skip
                    recipient_rows.extend(row["recipients"])
                    distribution_rows.extend(row["distribution"])
                    country_rows.extend((pk, code, role) for code, role in row["countries"])
                    precursor_rows.extend((pk, item) for item in row["precursors"])
                    version_rows.append(
                        (pk, 1, row["subject"], row["original_body"], "original", "", row["sender"], sent_at)
                    )
                    if row["version"] > 1:
                        change = "withdrawal" if row["status"] == "withdrawn" else "correction"
                        note = "Sent in error." if change == "withdrawal" else "Quantity corrected."
                        version_rows.append((pk, 2, row["subject"], row["body"], change, note, row["sender"], sent_at))
                    totals["replies"] += row["in_reply_to"] is not None
                totals["messages"] += message_writer.write(message_rows)
                totals["recipients"] += recipient_writer.write(recipient_rows)
                totals["distribution"] += distribution_writer.write(distribution_rows)
                country_writer.write(country_rows)
                totals["versions"] += version_writer.write(version_rows)
                precursor_writer.write(precursor_rows)
        audit_record(
            actor="seed-exchange", action="exchange.seed_exchange", object_type="exchange.message", extra=totals
        )
    if connection.vendor == "postgresql":
        # Planner statistics and the visibility map (index-only scans) after a bulk load; otherwise
        # PostgreSQL plans for empty tables until autovacuum gets round to it. Inside a transaction
        # (a test), where VACUUM cannot run, the statistics only.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            tables = [m._meta.db_table for m in (*loaded, User, RoleGrant, Community, Membership)]
            for table in tables:
                cursor.execute(f"{command} {table}")
    figures: dict[str, Any] = {
        **totals,
        "users": len(people.users),
        "communities": len(people.communities),
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return figures


def _eligible(people: _People, user_ids: Iterable[int], interpol: bool, unodc: bool, sender: int) -> Iterator[int]:
    for pk in user_ids:
        if pk == sender:
            continue
        partner = people.partner_of.get(pk)
        if partner and not ((partner == "interpol" and interpol) or (partner == "unodc" and unodc)):
            continue
        yield pk


def _text(rng: random.Random, french: bool, p: tuple[str, str, str], country: str) -> dict[str, str]:
    cover = rng.choice(COVERS)
    company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_C)}"
    if rng.random() < 0.2:
        company += f" {rng.randint(1, 999)}"
    letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
    lang = 1 if french else 0
    return {
        "p": p[1] if french else p[0],
        "hs": p[2],
        "qty": f"{rng.choice([50, 120, 500, 800])} kg" if rng.random() < 0.5 else f"{rng.randint(1, 40)} t",
        "port": rng.choice(PORTS),
        "port2": rng.choice(PORTS),
        "country": country,
        "cover": cover[1] if french else cover[0],
        "company": company,
        "container": f"{letters}U{rng.randint(1_000_000, 9_999_999)}",
        "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}",
        "pct": str(rng.randint(20, 98)),
        "op": rng.choice(OPERATIONS),
        "place": rng.choice(PLACES)[lang],
        "vehicle": rng.choice(VEHICLES)[lang],
        "border": rng.choice(BORDERS),
        "packages": rng.choice(PACKAGES)[lang],
        "payment": rng.choice(PAYMENTS)[lang],
        "client": rng.choice(CLIENTS)[lang],
        "role": rng.choice(ROLES)[lang],
        "months": str(rng.randint(2, 18)),
    }


def _one_message(
    rng: random.Random,
    people: _People,
    pk: int,
    sent_at: dt.datetime,
    now: dt.datetime,
    recent: deque[tuple[Any, ...]],
    catalogue: list[int],
) -> dict[str, Any]:
    french = rng.random() < 0.4
    precursor = rng.choice(PRECURSORS)
    country = rng.choice(people.countries) if people.countries else "FR"
    name = people.country_names.get(country, (country, country))[1 if french else 0]
    words = _text(rng, french, precursor, name)
    interpol = rng.random() < 0.15
    unodc = rng.random() < 0.10
    kind = _weighted(rng, KINDS)
    tlp = _weighted(rng, TLPS)
    distribution: list[tuple[Any, ...]] = []
    reasons: dict[int, tuple[str, str]] = {}
    thread_root = in_reply_to = None
    choice = rng.random()
    subject = ""
    if choice < 0.12 and recent:
        # a reply: to the parent's recipients and sender, from one of its recipients
        parent_pk, parent_root, parent_sender, parent_subject, audience, interpol, unodc, tlp = rng.choice(recent)
        candidates = [u for u in audience if u not in people.partner_of] or [parent_sender]
        sender = rng.choice(candidates)
        kind, thread_root, in_reply_to = "information", parent_root or parent_pk, parent_pk
        subject = f"Re: {parent_subject}"[:200]
        for u in _eligible(people, [*audience, parent_sender], interpol, unodc, sender):
            reasons.setdefault(u, ("thread", ""))
            distribution.append((pk, "user", None, "", u))
        body = rng.choice(REPLIES_FR if french else REPLIES_EN).format(**words)
    else:
        if choice < 0.22:
            community = people.global_
            sender = rng.choice(people.secretariat) if rng.random() < 0.7 else rng.choice(people.ncps)
        elif choice < 0.52:
            community = rng.choice(people.regional)
            sender = rng.choice(people.members[community.pk])
        elif choice < 0.77:
            community = rng.choice(people.groups)
            sender = rng.choice(people.members[community.pk])
        else:
            community = None
            sender = rng.choice(people.secretariat) if rng.random() < 0.3 else rng.choice(people.ncps)
        if sender in people.partner_of:
            sender = rng.choice(people.ncps)
        if community is not None:
            distribution.append((pk, "community", community.pk, "", None))
            for u in _eligible(people, people.members[community.pk], interpol, unodc, sender):
                reasons.setdefault(u, ("community", community.name))
        elif choice < 0.92:
            for code in rng.sample(people.countries, rng.randint(1, 3)):
                distribution.append((pk, "country", None, code, None))
                for u in _eligible(people, people.ncps_of[code], interpol, unodc, sender):
                    reasons.setdefault(u, ("country", code))
        else:
            named = rng.sample(people.ncps + people.secretariat, rng.randint(1, 5))
            for u in _eligible(people, named, interpol, unodc, sender):
                distribution.append((pk, "user", None, "", u))
                reasons.setdefault(u, ("user", ""))
        if not reasons:  # e.g. a country whose only NCP is the sender: send to someone named
            other = rng.choice([u for u in people.ncps if u != sender])
            distribution.append((pk, "user", None, "", other))
            reasons[other] = ("user", "")
        if kind == "special_alert" and sender not in people.secretariat:
            kind = "alert"
        subject = rng.choice(SUBJECTS_FR if french else SUBJECTS_EN).format(**words)
        subject = subject[0].upper() + subject[1:]
        count = rng.randint(2, 6)
        body = " ".join(s.format(**words) for s in rng.sample(SENTENCES_FR if french else SENTENCES_EN, count))
    if not reasons:
        other = rng.choice([u for u in people.ncps if u != sender])
        distribution.append((pk, "user", None, "", other))
        reasons[other] = ("user", "")
    recent.append((pk, thread_root, sender, subject, list(reasons), interpol, unodc, tlp))

    status, version, original_body = "sent", 1, body
    roll = rng.random()
    if roll < 0.005:
        status, version = "withdrawn", 2
    elif roll < 0.025:
        version, body = 2, body + (" Quantité corrigée." if french else " Quantity corrected.")
    deadline = (sent_at + dt.timedelta(days=14)).date() if kind == "rfi" else None
    age_days = (now - sent_at).total_seconds() / 86400
    read_p = 0.95 if age_days > 30 else 0.8 if age_days > 7 else 0.45
    recipients = []
    for user_id, (reason, detail) in reasons.items():
        read_at = acknowledged_at = answered_at = None
        answer = ""
        if rng.random() < read_p:
            read_at = sent_at + dt.timedelta(minutes=rng.randint(2, 60 * 24 * 5))
            read_at = min(read_at, now)
            if kind in ("alert", "special_alert") and rng.random() < 0.75:
                acknowledged_at = read_at
        if kind == "rfi" and in_reply_to is None:
            overdue = deadline is not None and deadline < now.date()
            answer_roll = rng.random()
            if read_at is not None and answer_roll < 0.6:
                answer, answered_at = "answered", read_at
            elif overdue:
                answer = "declined" if answer_roll < 0.65 else "overdue"
            else:
                answer = "open"
        recipients.append(
            (pk, user_id, reason, detail[:200], read_at, acknowledged_at, answer, answered_at, sent_at, kind)
        )
    involved = [(country, "destination")]
    if rng.random() < 0.5:
        involved.append((rng.choice(people.countries), "origin"))
    involved = list(dict.fromkeys(involved))
    return {
        "kind": kind,
        "subject": subject,
        "body": body,
        "original_body": original_body,
        "language": "fr" if french else "en",
        "tlp": tlp,
        "interpol": interpol,
        "unodc": unodc,
        "sender": sender,
        "sender_country": people.country_of.get(sender, ""),
        "thread_root": thread_root,
        "in_reply_to": in_reply_to,
        "hs_codes": [precursor[2]] if rng.random() < 0.6 else [],
        "tags": rng.sample(TAGS, rng.randint(0, 2)),
        "status": status,
        "version": version,
        "deadline": deadline,
        "recipients": recipients,
        "distribution": distribution,
        "countries": involved,
        "precursors": rng.sample(catalogue, min(len(catalogue), rng.randint(0, 2))) if catalogue else [],
    }


class Command(BaseCommand):
    help = "Generate exchange traffic at scale (deterministic): users, communities, messages and recipients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=300)
        parser.add_argument("--communities", type=int, default=40)
        parser.add_argument("--messages", type=int, default=200_000)
        parser.add_argument("--days", type=int, default=730, help="spread the messages over this many days")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["users"] < 30 or options["communities"] < 8 or options["messages"] < 0:
            raise CommandError("--users must be >= 30, --communities >= 8 and --messages >= 0")
        figures = seed_exchange(
            users=options["users"],
            communities=options["communities"],
            messages=options["messages"],
            seed=options["seed"],
            days=options["days"],
        )
        self.stdout.write(
            "Created {messages} messages ({replies} replies), {recipients} recipient rows, {versions} versions "
            "for {users} users in {communities} communities in {seconds} s (seed {seed}).".format(**figures)
        )
