"""The deterministic demo data set: accounts for every role, ~120 organisations, ~300 people,
NCP nominations across all six WCO regions, and communities.

Everything is written through the directory's services (so the audit log shows the project
assistant building the contacts list); accounts are created directly, each with an audit entry.
Same seed, same data: tests and screenshots can rely on it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import unicodedata
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from shieldhub.accounts.choices import Role
from shieldhub.accounts.models import RoleGrant, User
from shieldhub.core.audit import audit_record

DEMO_PASSWORD = "Shield-Demo-2026"  # noqa: S105 - printed for the demo on purpose
SEED = 2026

SECRETARIAT = [
    ("coordinator@demo.example", "Amélie Durand", [Role.COORDINATOR], "en"),
    ("analyst@demo.example", "Rahul Mehta", [Role.ANALYST], "en"),
    ("trainer@demo.example", "Grace Njeri", [Role.TRAINER], "en"),
    ("assistant@demo.example", "Sofia Costa", [Role.ASSISTANT], "en"),
    ("admin@demo.example", "Lars Eriksen", [Role.ADMIN], "en"),
]
PARTNER = ("partner.interpol@demo.example", "Daniel Weber", [Role.PARTNER], "en")
DONOR = ("donor@demo.example", "Hannah Brooks", [Role.DONOR], "en")

# The NCP accounts: one per country, spread over the six WCO regions.
NCP_TITLES = {"FR": "ms", "KE": "mr", "NG": "ms", "MA": "mr", "IN": "dr", "BR": "mr", "JO": "mr", "ID": "ms"}
NCP_COUNTRIES = {
    "FR": ("Claire", "Martin", "Direction générale des douanes et droits indirects", "DGDDI", "fr"),
    "KE": ("John", "Otieno", "Kenya Revenue Authority – Customs and Border Control", "KRA", "en"),
    "NG": ("Ngozi", "Okafor", "Nigeria Customs Service", "NCS", "en"),
    "MA": ("Youssef", "El Amrani", "Administration des douanes et impôts indirects", "ADII", "fr"),
    "IN": ("Priya", "Sharma", "Central Board of Indirect Taxes and Customs", "CBIC", "en"),
    "BR": ("Lucas", "Oliveira", "Receita Federal do Brasil", "RFB", "en"),
    "JO": ("Omar", "Haddad", "Jordan Customs", "JC", "en"),
    "ID": ("Siti", "Rahmawati", "Directorate General of Customs and Excise", "DJBC", "en"),
}
FRENCH_SPEAKING = {
    "FR",
    "MA",
    "SN",
    "CI",
    "CM",
    "BF",
    "ML",
    "NE",
    "TN",
    "DZ",
    "BE",
    "CH",
    "CD",
    "BJ",
    "TG",
    "GA",
    "MG",
    "HT",
    "LU",
    "MC",
    "TD",
    "GN",
    "CF",
    "CG",
    "DJ",
    "MR",
    "BI",
    "RW",
    "KM",
    "LB",
}

# Further countries with NCPs (about 60 in all), by WCO region.
MORE_NCP_COUNTRIES = {
    "ESA": ["ZA", "TZ", "UG", "ET", "RW", "ZM", "MZ", "BW", "MG"],
    "WCA": ["SN", "CI", "GH", "CM", "BF", "ML", "NE", "BJ", "TG"],
    "MENA": ["TN", "EG", "DZ", "LB", "SA", "AE", "IQ"],
    "EUR": ["DE", "ES", "IT", "BE", "NL", "PL", "RO", "GB", "UA", "TR", "SE", "GE"],
    "AMS": ["US", "CA", "MX", "CO", "PE", "AR", "CL", "JM"],
    "AP": ["PH", "TH", "MY", "PK", "AU", "BD", "AF", "JP", "KR", "LK"],
}

GIVEN = {
    "ESA": [
        "Amani",
        "Baraka",
        "Chipo",
        "Daudi",
        "Esther",
        "Faith",
        "Kato",
        "Lerato",
        "Mandla",
        "Neema",
        "Tendai",
        "Zawadi",
    ],
    "WCA": [
        "Aminata",
        "Kofi",
        "Fatou",
        "Moussa",
        "Adjoa",
        "Ibrahim",
        "Mariam",
        "Seydou",
        "Awa",
        "Kwame",
        "Yaw",
        "Salimata",
    ],
    "MENA": [
        "Ahmed",
        "Fatima",
        "Karim",
        "Leila",
        "Mohamed",
        "Nadia",
        "Rami",
        "Samira",
        "Tarek",
        "Yasmine",
        "Hassan",
        "Mona",
    ],
    "EUR": [
        "Anna",
        "Marco",
        "Sophie",
        "Jan",
        "Elena",
        "Pierre",
        "Katarzyna",
        "Lukas",
        "Marta",
        "Oliver",
        "Ingrid",
        "Tomasz",
    ],
    "AMS": [
        "Carlos",
        "Ana",
        "Diego",
        "Gabriela",
        "Jorge",
        "Lucía",
        "Michael",
        "Sarah",
        "Pedro",
        "Valentina",
        "James",
        "Camila",
    ],
    "AP": ["Aiko", "Arjun", "Budi", "Chen", "Dewi", "Hiroshi", "Kim", "Mei", "Nguyen", "Ravi", "Somchai", "Tala"],
}
FAMILY = {
    "ESA": [
        "Mwangi",
        "Banda",
        "Dlamini",
        "Kamau",
        "Moyo",
        "Nkosi",
        "Ochieng",
        "Phiri",
        "Tembo",
        "Wanjiru",
        "Mutua",
        "Zulu",
    ],
    "WCA": [
        "Diallo",
        "Traoré",
        "Koné",
        "Mensah",
        "Ouédraogo",
        "Sow",
        "Touré",
        "Coulibaly",
        "Ndiaye",
        "Boateng",
        "Camara",
        "Keita",
    ],
    "MENA": [
        "Ben Ali",
        "Mansour",
        "Haddad",
        "Khalil",
        "Saleh",
        "Nasser",
        "Farouk",
        "Aziz",
        "Rahman",
        "Hamdi",
        "Karam",
        "Tahan",
    ],
    "EUR": [
        "Müller",
        "Rossi",
        "Dubois",
        "Kowalski",
        "Novak",
        "García",
        "Jansen",
        "Popescu",
        "Smith",
        "Andersson",
        "Petrov",
        "Moreau",
    ],
    "AMS": [
        "Silva",
        "González",
        "Rodríguez",
        "Pérez",
        "Johnson",
        "Williams",
        "Castro",
        "Torres",
        "Ramírez",
        "Brown",
        "Fernández",
        "Morales",
    ],
    "AP": ["Tanaka", "Singh", "Wang", "Santoso", "Nguyen", "Park", "Khan", "Suzuki", "Perera", "Rahman", "Lim", "Sato"],
}
POSITIONS = [
    "Head of Enforcement",
    "Risk Management Officer",
    "Senior Customs Officer",
    "Intelligence Analyst",
    "Director of Investigations",
    "Chief of Border Operations",
    "Counter-Terrorism Desk Officer",
    "International Cooperation Officer",
    "Laboratory Chemist",
    "Training Officer",
]
INTERNATIONAL = [
    ("World Customs Organization", "WCO", "BE", "international", "https://www.wcoomd.org"),
    ("International Criminal Police Organization", "INTERPOL", "FR", "international", "https://www.interpol.int"),
    ("United Nations Office on Drugs and Crime", "UNODC", "AT", "international", "https://www.unodc.org"),
    ("United Nations Office of Counter-Terrorism", "UNOCT", "US", "international", ""),
    ("Organization for Security and Co-operation in Europe", "OSCE", "AT", "international", "https://www.osce.org"),
    ("Organisation for the Prohibition of Chemical Weapons", "OPCW", "NL", "international", "https://www.opcw.org"),
    ("African Union Commission", "AUC", "ET", "international", ""),
    ("WCO Regional Intelligence Liaison Office for Western Europe", "RILO WE", "DE", "international", ""),
    ("WCO Regional Intelligence Liaison Office for Eastern and Southern Africa", "RILO ESA", "KE", "international", ""),
    ("WCO Regional Intelligence Liaison Office for Asia and the Pacific", "RILO AP", "KR", "international", ""),
]
DONORS = [
    ("Global Affairs Canada – Weapons Threat Reduction Program", "GAC WTRP", "CA"),
    ("U.S. Department of State – Export Control and Related Border Security", "EXBS", "US"),
    ("Government of Japan – Ministry of Foreign Affairs", "MOFA", "JP"),
    ("Federal Foreign Office of Germany", "AA", "DE"),
]
SUPPLIERS = [
    ("Trace Detection Systems Ltd", "TDS", "GB"),
    ("Spectra Field Analytics GmbH", "", "DE"),
    ("Brussels Conference Interpreters", "BCI", "BE"),
    ("Global Travel Services SA", "GTS", "BE"),
    ("Hotel Metropole Conference Centre", "", "BE"),
    ("Visa Facilitation Partners", "", "BE"),
    ("Secure Courier International", "", "NL"),
    ("Nairobi Conference Venues Ltd", "", "KE"),
]
TRAINING = [
    ("WCO Regional Training Centre, Nairobi", "RTC Nairobi", "KE"),
    ("WCO Regional Training Centre, Abidjan", "RTC Abidjan", "CI"),
    ("WCO Regional Training Centre, Baku", "RTC Baku", "AZ"),
    ("WCO Regional Training Centre, Shanghai", "RTC Shanghai", "CN"),
    ("WCO Regional Training Centre, Buenos Aires", "RTC Buenos Aires", "AR"),
    ("Customs Academy of the Netherlands", "", "NL"),
]
PRIVATE = [
    ("AgriNitro Fertilisers", "ZA"),
    ("Nordic Chemical Distribution AB", "SE"),
    ("Pacific Mining Explosives Pty", "AU"),
    ("Gulf Petrochemicals Trading", "AE"),
    ("Andes Quimica SA", "PE"),
    ("Sahel Agro Inputs", "ML"),
    ("Mumbai Fine Chemicals", "IN"),
    ("Anatolia Fertiliser Industries", "TR"),
]


def totp_secret_for(email: str) -> str:
    """A fixed TOTP secret per demo account, so the printed secret stays valid across runs."""
    return base64.b32encode(hashlib.sha256(f"shieldhub-demo:{email}".encode()).digest()[:20]).decode()


def demo_accounts() -> list[dict[str, str]]:
    rows = [*SECRETARIAT, PARTNER, DONOR]
    out = [
        {"email": e, "roles": ", ".join(r.value for r in roles), "totp_secret": totp_secret_for(e)}
        for e, _n, roles, _l in rows
    ]
    for code in NCP_COUNTRIES:
        email = f"ncp.{code.lower()}@demo.example"
        out.append({"email": email, "roles": f"ncp ({code})", "totp_secret": totp_secret_for(email)})
    return out


def _account(email: str, name: str, roles: list[Role], language: str, **extra: Any) -> User:
    user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, language=language, **extra)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    TOTP.activate(user, totp_secret_for(email))
    audit_record(
        actor="demo",
        action="accounts.user.create",
        obj=user,
        changes={"email": [None, email], "roles": [None, [r.value for r in roles]]},
        extra={"source": "shieldhub demo"},
    )
    user.__dict__.pop("roles", None)
    return user


def demo_present() -> bool:
    return User.objects.filter(email="coordinator@demo.example").exists()


def load_demo() -> bool:
    """Create the demo data set unless it is there already. Returns True when it was created."""
    if demo_present():
        return False
    with transaction.atomic():
        _load()
        # The demo back-dates records with plain updates: recompute the dashboards' summaries.
        from shieldhub.analysis.summaries import rebuild_all

        rebuild_all()
    return True


def _load() -> None:
    from shieldhub.directory import services as directory
    from shieldhub.reference.models import Country

    rng = random.Random(SEED)
    today = timezone.localdate()
    region_of = dict(Country.objects.filter(wco_region__isnull=False).values_list("code", "wco_region_id"))
    name_of = dict(Country.objects.values_list("code", "name_en"))

    users = {e: _account(e, n, roles, lang) for e, n, roles, lang in SECRETARIAT}
    assistant = users["assistant@demo.example"]
    partner = _account(*PARTNER, partner_organisation="interpol")
    _account(*DONOR)

    orgs: dict[str, Any] = {}

    def org(key: str, **data: Any) -> Any:
        orgs[key] = directory.organisation_create(actor=assistant, data=data)
        return orgs[key]

    # Customs administrations: the eight demo NCP countries and about fifty more.
    ncp_countries = list(NCP_COUNTRIES)
    for region_codes in MORE_NCP_COUNTRIES.values():
        ncp_countries += region_codes
    for code in ncp_countries:
        if code in NCP_COUNTRIES:
            _g, _f, org_name, acronym, _lang = NCP_COUNTRIES[code]
        else:
            org_name, acronym = f"{name_of.get(code, code)} Customs Administration", ""
        org(f"customs:{code}", name=org_name, acronym=acronym, kind="customs", country=code)
    for i, code in enumerate(ncp_countries[::2]):
        org(
            f"police:{code}",
            name=f"{name_of.get(code, code)} National Police – Counter-Terrorism Unit",
            kind="police",
            country=code,
        )
        if i >= 24:
            break
    for name, acronym, country, kind, website in INTERNATIONAL:
        org(f"intl:{acronym}", name=name, acronym=acronym, country=country, kind=kind, website=website)
    for name, acronym, country in DONORS:
        org(f"donor:{acronym}", name=name, acronym=acronym, country=country, kind="donor")
    for name, acronym, country in SUPPLIERS:
        org(f"supplier:{name}", name=name, acronym=acronym, country=country, kind="supplier")
    for name, acronym, country in TRAINING:
        org(f"training:{name}", name=name, acronym=acronym, country=country, kind="training")
    for name, country in PRIVATE:
        org(f"private:{name}", name=name, country=country, kind="private")
    extra_index = 0
    while len(orgs) < 120:  # border agencies to reach the intended size
        code = ncp_countries[extra_index % len(ncp_countries)]
        org(
            f"border:{code}:{extra_index}",
            name=f"{name_of.get(code, code)} Border Guard Service",
            kind="other",
            country=code,
        )
        extra_index += 1

    used_emails: set[str] = set()

    def person(code: str, organisation: Any, given: str, family: str, **data: Any) -> Any:
        folded = unicodedata.normalize("NFKD", f"{given}.{family}").encode("ascii", "ignore").decode()
        local = folded.lower().replace(" ", "").replace("'", "")
        email = f"{local}@{code.lower()}.demo.example"
        n = 2
        while email in used_emails:
            email = f"{local}{n}@{code.lower()}.demo.example"
            n += 1
        used_emails.add(email)
        verified = None if rng.random() < 0.25 else today - dt.timedelta(days=rng.randint(10, 700))
        lang = "fr" if code in FRENCH_SPEAKING else "en"
        languages = ["fr", "en"] if lang == "fr" else ["en"] + (["fr"] if rng.random() < 0.2 else [])
        return directory.person_create(
            actor=assistant,
            data={
                "title": data.pop("title", ""),
                "given_name": given,
                "family_name": family,
                "position": data.pop("position", rng.choice(POSITIONS)),
                "organisation": organisation,
                "country": code,
                "email": email,
                "phones": [f"+{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}"],
                "languages": languages,
                "preferred_language": lang,
                "last_verified_on": verified,
                **data,
            },
        )

    ncp_people: dict[str, Any] = {}
    for code in ncp_countries:
        region = region_of.get(code, "EUR")
        customs = orgs[f"customs:{code}"]
        if code in NCP_COUNTRIES:
            given, family = NCP_COUNTRIES[code][0], NCP_COUNTRIES[code][1]
        else:
            given, family = rng.choice(GIVEN[region]), rng.choice(FAMILY[region])
        primary = person(
            code,
            customs,
            given,
            family,
            position="National Contact Point, Programme Global Shield",
            title=NCP_TITLES.get(code, ""),
        )
        ncp_people[code] = primary
        nominated = today - dt.timedelta(days=rng.randint(60, 1500))
        directory.nomination_create(
            actor=assistant,
            data={
                "person": primary,
                "country": code,
                "agency": customs,
                "role": "primary",
                "status": "active",
                "nominated_on": nominated,
            },
        )
        for _ in range(rng.choice([0, 1, 1, 2])):
            alt = person(code, customs, rng.choice(GIVEN[region]), rng.choice(FAMILY[region]))
            status = rng.choice(["active", "active", "nominated", "lapsed", "withdrawn"])
            directory.nomination_create(
                actor=assistant,
                data={
                    "person": alt,
                    "country": code,
                    "agency": customs,
                    "role": "alternate",
                    "status": status,
                    "nominated_on": today - dt.timedelta(days=rng.randint(30, 1200)),
                },
            )
    # Other contacts: customs officers, police, partners' staff, suppliers, trainers.
    other_orgs = [o for k, o in orgs.items() if not k.startswith("customs:")]
    customs_orgs = [o for k, o in orgs.items() if k.startswith("customs:")]
    from shieldhub.directory.models import Person

    while Person.objects.count() < 300:
        organisation = rng.choice(customs_orgs if rng.random() < 0.6 else other_orgs)
        code = organisation.country.code or "BE"
        region = region_of.get(code, "EUR")
        person(code, organisation, rng.choice(GIVEN[region]), rng.choice(FAMILY[region]))

    # NCP accounts, linked to their contact records.
    for code, (given, family, _org, _acr, lang) in NCP_COUNTRIES.items():
        email = f"ncp.{code.lower()}@demo.example"
        user = _account(email, f"{given} {family}", [Role.NCP], lang, country=code, agency=orgs[f"customs:{code}"])
        directory.person_update(actor=assistant, person=ncp_people[code], data={"user": user})
        users[email] = user
    users[PARTNER[0]] = partner

    # Communities: the global one, one per WCO region, and a working group.
    coordinator = users["coordinator@demo.example"]
    global_c = directory.community_create(
        actor=assistant,
        data={
            "name": "PGS global community",
            "name_fr": "Communauté mondiale PGS",
            "slug": "pgs-global",
            "kind": "global",
            "description": "Every National Contact Point of Programme Global Shield, the secretariat and partners.",
        },
    )
    from shieldhub.reference.models import WcoRegion

    regional = {}
    for wco_region in WcoRegion.objects.order_by("code"):
        regional[wco_region.code] = directory.community_create(
            actor=assistant,
            data={
                "name": f"PGS {wco_region.name_en}",
                "name_fr": f"PGS {wco_region.name_fr}",
                "slug": f"pgs-{wco_region.code.lower()}",
                "kind": "regional",
                "region": wco_region.code,
            },
        )
    group = directory.community_create(
        actor=assistant,
        data={
            "name": "Precursor analysts working group",
            "name_fr": "Groupe de travail des analystes précurseurs",
            "slug": "analysts-wg",
            "kind": "adhoc",
            "description": "Analysts sharing methods and open-source findings.",
        },
    )
    for email, user in users.items():
        is_staff = not email.startswith(("ncp.", "partner."))
        directory.membership_add(
            actor=assistant,
            community=global_c,
            user=user,
            role="moderator" if email.startswith("coordinator") else "member",
        )
        if email.startswith("ncp."):
            code = email.split(".")[1].split("@")[0].upper()
            region_code = region_of.get(code)
            if region_code in regional:
                directory.membership_add(actor=assistant, community=regional[region_code], user=user)
        if is_staff and email.startswith(("coordinator", "analyst")):
            # the working group is moderated by the analyst and the coordinator (four eyes)
            directory.membership_add(actor=assistant, community=group, user=user, role="moderator")
    for region_c in regional.values():
        directory.membership_add(actor=assistant, community=region_c, user=coordinator, role="moderator")
    for email in ("ncp.fr@demo.example", "ncp.in@demo.example", "partner.interpol@demo.example"):
        directory.membership_add(actor=assistant, community=group, user=users[email])
    _demo_messages(users, global_c, regional)
    _demo_moderation(users, group)
    _demo_operations(users)
    _demo_seizures(users, regional, rng)
    _demo_shipments(users, rng)
    _demo_shipment_history(users, rng)
    _demo_entities(users)
    _demo_screening(users, rng)
    from shieldhub.events import demo as events_demo

    events_demo.load(users)
    from shieldhub.analysis import demo as analysis_demo

    analysis_demo.load(users)
    assert Authenticator.objects.filter(type="totp").count() == len(demo_accounts())


def _demo_messages(users: dict[str, Any], global_c: Any, regional: dict[str, Any]) -> None:
    """A few exchanges between NCPs and the secretariat, so the inbox is not empty."""
    from shieldhub.exchange import services as exchange
    from shieldhub.exchange.services import Distribution
    from shieldhub.reference.models import CatalogueItem

    catalogue = dict(CatalogueItem.objects.values_list("code", "pk"))
    fr, ke, ng, jo = (users[f"ncp.{c}@demo.example"] for c in ("fr", "ke", "ng", "jo"))
    analyst, coordinator = users["analyst@demo.example"], users["coordinator@demo.example"]

    alert = exchange.message_send(
        actor=ke,
        data={
            "kind": "alert",
            "subject": "Ammonium nitrate declared as urea at Mombasa",
            "body": "On 12 November a 40 ft container declared as **urea fertiliser** (HS 3102.10) was found to hold "
            "24 t of porous ammonium nitrate prills. Consignee: a newly registered trading company in Kampala.\n\n"
            "- Route: Jebel Ali → Mombasa → Malaba (transit)\n- Detection: risk profiling, then laboratory test\n\n"
            "Please check recent imports from the same shipper.",
            "tlp": "amber",
            "handling_code": "customs_only",
            "source_reliability": "B",
            "information_credibility": "2",
            "hs_codes": ["3102.10", "3102.30"],
            "tags": ["misdeclaration", "transit"],
            "precursors": [catalogue[c] for c in ("ammonium-nitrate", "urea") if c in catalogue],
            "countries": [("AE", "origin"), ("KE", "reporting"), ("UG", "destination")],
        },
        # the sender's regional community, and Nigeria's NCPs (the same shipper was seen in Lagos)
        distribution=Distribution(
            communities=[regional["ESA"].pk] if "ESA" in regional else [global_c.pk], countries=["NG"]
        ),
    )
    exchange.message_reply(
        actor=coordinator,
        parent=alert,
        data={
            "kind": "information",
            "subject": "Re: Ammonium nitrate declared as urea at Mombasa",
            "body": "Thank you. The analyst will cross-check the shipper against last year's seizures.",
        },
    )
    exchange.message_send(
        actor=analyst,
        data={
            "kind": "information",
            "subject": "Quarterly trend: hydrogen peroxide seizures in postal and express flows",
            "body": "Seizures of concentrated hydrogen peroxide (above 12 %) in express consignments rose this quarter. "
            "A short analysis is attached to the next donor report; NCPs are invited to share comparable cases.",
            "tlp": "green",
            "precursors": [catalogue["hydrogen-peroxide"]] if "hydrogen-peroxide" in catalogue else [],
        },
        distribution=Distribution(communities=[global_c.pk]),
    )
    rfi = exchange.message_send(
        actor=fr,
        data={
            "kind": "rfi",
            "subject": "Demande de renseignements : expéditeur de chlorate de sodium",
            "body": "Une société de négoce déclare exporter du chlorate de sodium vers Lagos. Pouvez-vous confirmer "
            "que le destinataire est un utilisateur final connu ?",
            "language": "fr",
            "tlp": "amber",
            "countries": [("FR", "origin"), ("NG", "destination")],
        },
        distribution=Distribution(countries=["NG"]),
    )
    exchange.message_mark_read(actor=ng, message=rfi)
    exchange.message_send(
        actor=jo,
        data={
            "kind": "alert",
            "subject": "Detonators concealed in a vehicle spare-parts consignment",
            "body": "Electric detonators were found in the door panels of a spare-parts consignment at Al-Omari border "
            "crossing. Details to the regional community only.",
            "tlp": "red",
            "handling_code": "no_onward_sharing",
        },
        distribution=Distribution(communities=[regional["MENA"].pk] if "MENA" in regional else [global_c.pk]),
    )


def _demo_moderation(users: dict[str, Any], group: Any) -> None:
    """The analysts' working group is moderated: one NCP message awaits approval, one was refused."""
    from shieldhub.exchange import moderation, operations
    from shieldhub.exchange import services as exchange
    from shieldhub.exchange.services import Distribution

    assistant, coordinator = users["assistant@demo.example"], users["coordinator@demo.example"]
    operations.community_exchange_settings_update(
        actor=assistant, community=group, requires_moderation=True, countries=[]
    )
    exchange.message_send(
        actor=users["ncp.fr@demo.example"],
        data={
            "kind": "information",
            "subject": "Open source: nitromethane offered in bulk on a marketplace",
            "body": "A seller on a business-to-business marketplace offers **nitromethane** in 200 L drums, "
            "shipped from a free zone, payment in cryptocurrency only. Has anyone seen the same listing?",
            "tlp": "green",
            "tags": ["open source", "online sales"],
        },
        distribution=Distribution(communities=[group.pk]),
    )  # waits for the analyst or the coordinator
    refused = exchange.message_send(
        actor=users["ncp.in@demo.example"],
        data={
            "kind": "information",
            "subject": "Chemicals price list",
            "body": "Attached is our price list.",
            "tlp": "clear",
        },
        distribution=Distribution(communities=[group.pk]),
    )
    moderation.message_reject(
        actor=coordinator,
        message=refused,
        note="The working group shares findings, not price lists; please say what the list shows.",
    )


def _demo_operations(users: dict[str, Any]) -> None:
    """A running operation group with its short form and two reports, and last year's, archived."""
    from shieldhub.directory import services as directory
    from shieldhub.exchange import operations
    from shieldhub.exchange.models import Message, MessageVersion

    today = timezone.localdate()
    assistant, coordinator = users["assistant@demo.example"], users["coordinator@demo.example"]
    ng, fr, ma = (users[f"ncp.{c}@demo.example"] for c in ("ng", "fr", "ma"))
    west = directory.community_create(
        actor=assistant,
        data={
            "name": f"Operation Global Shield {today.year} — West Africa",
            "name_fr": f"Opération Global Shield {today.year} — Afrique de l'Ouest",
            "slug": f"ogs-{today.year}-west-africa",
            "kind": "operation",
            "description": "Targeted controls on ammonium nitrate, chlorates and detonators entering West African "
            "ports and land borders. Seizures and detections are reported through the operational form.",
            "starts_on": today - dt.timedelta(days=7),
            "ends_on": today + dt.timedelta(days=21),
        },
    )
    operations.community_exchange_settings_update(
        actor=assistant,
        community=west,
        requires_moderation=False,
        countries=["NG", "GH", "SN", "CI", "BJ", "TG", "FR", "MA"],
    )
    directory.membership_add(actor=assistant, community=west, user=coordinator, role="moderator")
    directory.membership_add(actor=assistant, community=west, user=ng, role="moderator")
    for user in (fr, ma, users["analyst@demo.example"], users["partner.interpol@demo.example"]):
        directory.membership_add(actor=assistant, community=west, user=user)
    operations.operation_form_update(
        actor=coordinator,
        community=west,
        fields=["precursor", "quantity", "hs_code", "origin_country", "transit_country", "destination_country",
                "transport_mode", "container_number", "event_date", "place", "action_taken", "remarks"],
    )  # fmt: skip
    operations.operation_report_send(
        actor=ng,
        community=west,
        values={
            "precursor": "ammonium-nitrate",
            "quantity": "18",
            "unit": "t",
            "hs_code": "3102.30",
            "origin_country": "TR",
            "destination_country": "NE",
            "transport_mode": "sea",
            "container_number": "MSKU 704512-3",
            "event_date": (today - dt.timedelta(days=2)).isoformat(),
            "place": "Tin Can Island port, Lagos",
            "action_taken": "seized",
            "remarks": "Declared as NPK fertiliser; consignee in Niamey unknown to the national authority.",
        },
        releasable_interpol=True,
    )
    operations.operation_report_send(
        actor=fr,
        community=west,
        values={
            "precursor": "potassium-chlorate",
            "quantity": "1.2",
            "unit": "t",
            "origin_country": "CN",
            "transit_country": "FR",
            "destination_country": "CI",
            "transport_mode": "sea",
            "place": "Le Havre",
            "action_taken": "controlled_delivery",
            "remarks": "Controlled delivery agreed with Côte d'Ivoire; arrival in Abidjan expected next week.",
        },
    )

    # Last year's operation: ended, archived by the daily task; its members keep its messages.
    east = directory.community_create(
        actor=assistant,
        data={
            "name": f"Operation Global Shield {today.year - 1} — East Africa",
            "name_fr": f"Opération Global Shield {today.year - 1} — Afrique de l'Est",
            "slug": f"ogs-{today.year - 1}-east-africa",
            "kind": "operation",
            "starts_on": today - dt.timedelta(days=1),
            "ends_on": today,
        },
    )
    operations.community_exchange_settings_update(
        actor=assistant, community=east, requires_moderation=False, countries=["KE", "TZ", "UG", "ET"]
    )
    directory.membership_add(actor=assistant, community=east, user=coordinator, role="moderator")
    directory.membership_add(actor=assistant, community=east, user=users["ncp.ke@demo.example"])
    report = operations.operation_report_send(
        actor=users["ncp.ke@demo.example"],
        community=east,
        values={"precursor": "electric-detonators", "quantity": "400", "unit": "pcs", "action_taken": "seized"},
    )
    # The demo writes the operation as it happened a year ago: dates moved back, then the task archives it.
    year_ago = timezone.now() - dt.timedelta(days=365)
    Message.objects.filter(pk=report.pk).update(sent_at=year_ago, created_at=year_ago)
    MessageVersion.objects.filter(message=report).update(created_at=year_ago)
    directory.community_update(
        actor=assistant,
        community=east,
        data={"starts_on": year_ago.date() - dt.timedelta(days=20), "ends_on": year_ago.date() + dt.timedelta(days=10)},
    )
    operations.operations_archive_ended.call()


# --- seizure and incident records -----------------------------------------------------------------

# (code, unit, low, high, concentration range or None): what each demo goods line may hold.
_SEIZURE_GOODS = [
    ("ammonium-nitrate", "kg", 500, 26000, (33, 35)),
    ("hydrogen-peroxide", "L", 20, 1200, (30, 60)),
    ("potassium-chlorate", "kg", 25, 2000, (95, 99)),
    ("aluminium-powder", "kg", 10, 800, None),
    ("electric-detonators", "pcs", 20, 1500, None),
    ("nitric-acid", "L", 50, 2000, (60, 70)),
    ("urea", "t", 5, 40, None),
    ("safety-fuses", "pcs", 50, 5000, None),
    ("sodium-chlorate", "kg", 100, 5000, (95, 99)),
    ("nitromethane", "L", 10, 400, (95, 99)),
]
# For each demo NCP country: offices (name, location type, conveyance) and likely trading partners.
_SEIZURE_OFFICES = {
    "FR": (
        [
            ("Le Havre port", "seaport", "vessel"),
            ("Roissy-Charles de Gaulle fret", "airport", "air"),
            ("Chronopost hub, Chilly-Mazarin", "postal_hub", "express"),
        ],
        ["MA", "TR", "CN", "BE", "DZ"],
    ),
    "KE": (
        [
            ("Mombasa port (Kilindini)", "seaport", "vessel"),
            ("Malaba border post", "land_border", "vehicle"),
            ("Jomo Kenyatta International Airport", "airport", "air"),
        ],
        ["AE", "UG", "TZ", "SO", "IN"],
    ),
    "NG": (
        [
            ("Apapa port, Lagos", "seaport", "vessel"),
            ("Seme border", "land_border", "vehicle"),
            ("Kano inland container depot", "inland", "vehicle"),
        ],
        ["BJ", "NE", "CN", "IN", "TR"],
    ),
    "MA": (
        [
            ("Tanger Med", "seaport", "vessel"),
            ("Casablanca port", "seaport", "vessel"),
            ("Oujda inland control", "inland", "vehicle"),
        ],
        ["ES", "FR", "DZ", "MR", "CN"],
    ),
    "IN": (
        [
            ("Nhava Sheva (JNPT)", "seaport", "vessel"),
            ("Chennai air cargo", "airport", "air"),
            ("Petrapole land port", "land_border", "vehicle"),
        ],
        ["BD", "NP", "AE", "LK", "MM"],
    ),
    "BR": (
        [
            ("Porto de Santos", "seaport", "vessel"),
            ("Foz do Iguaçu", "land_border", "vehicle"),
            ("Guarulhos air cargo", "airport", "air"),
        ],
        ["PY", "BO", "CN", "US", "AR"],
    ),
    "JO": (
        [
            ("Al-Omari border crossing", "land_border", "vehicle"),
            ("Aqaba port", "seaport", "vessel"),
            ("Queen Alia airport cargo", "airport", "air"),
        ],
        ["SA", "IQ", "SY", "TR", "AE"],
    ),
    "ID": (
        [
            ("Tanjung Priok, Jakarta", "seaport", "vessel"),
            ("Soekarno-Hatta cargo", "airport", "air"),
            ("Entikong border post", "land_border", "vehicle"),
        ],
        ["MY", "SG", "CN", "PH", "TH"],
    ),
}
_SEIZURE_COMPANIES = [
    "Gulf Agro Trading LLC",
    "Sahel Intrants SARL",
    "Eastern Star Logistics Ltd",
    "Pacific Chem Supplies Pte Ltd",
    "Nova Fertilizantes Ltda",
    "Al-Noor General Trading",
    "Bright Future Import Export",
    "Delta Mining Services Ltd",
    "Atlas Négoce SA",
    "Orient Express Freight Co.",
    "Kalimantan Agro Makmur PT",
    "Rift Valley Hardware Ltd",
]
_SEIZURE_CONCEALMENTS = [
    "Declared as urea fertiliser",
    "Behind a front row of legitimate goods",
    "In bottles labelled as hair-care product",
    "False floor of a truck trailer",
    "Mixed with cement bags",
    "Inside spare-parts cartons",
    "No concealment",
    "Declared as cleaning chemicals",
    "In a consignment of mining equipment",
]
_SEIZURE_NARRATIVES = [
    "Risk profiling flagged a newly registered consignee with no import history. Physical examination found "
    "{what}; a field test and then the customs laboratory confirmed the substance. The declarant could not produce "
    "an end-user certificate.",
    "During a joint control with the police, officers found {what} in a consignment whose declared description did "
    "not match its weight. The goods were detained and the case handed to the investigating unit.",
    "An intelligence report shared through the exchange named the shipper. The container was selected on arrival; it "
    "held {what}. The importer's licence had expired two months earlier.",
    "A canine team indicated a parcel at the express hub; it contained {what}. The sender used a false address.",
]


def _demo_seizures(users: dict[str, Any], regional: dict[str, Any], rng: random.Random) -> None:
    """About forty records across the demo NCP countries, in every status, some shared with their
    region and with Nigeria or France, one returned, one corrected, one withdrawn, a few drafts."""
    from shieldhub.exchange.services import Distribution
    from shieldhub.reference.models import CatalogueItem, Country
    from shieldhub.seizures import services as seizures

    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    if "ammonium-nitrate" not in catalogue:
        return
    analyst = users["analyst@demo.example"]
    region_of = dict(Country.objects.filter(wco_region__isnull=False).values_list("code", "wco_region_id"))
    today = timezone.localdate()
    types = ["seizure"] * 6 + ["stopped", "stopped", "diversion", "theft", "manufacture", "suspicious_order"]
    detections = ["routine", "risk_profiling", "risk_profiling", "intelligence", "investigation", "random", "device",
                  "canine"]  # fmt: skip
    countries = list(_SEIZURE_OFFICES)
    made: list[Any] = []
    for n in range(40):
        code = countries[n % len(countries)]
        ncp = users[f"ncp.{code.lower()}@demo.example"]
        offices, partners = _SEIZURE_OFFICES[code]
        office, location, conveyance = rng.choice(offices)
        kind = rng.choice(types)
        goods = []
        for goods_code, unit, low, high, conc in rng.sample(_SEIZURE_GOODS, rng.choice([1, 1, 1, 2, 2, 3])):
            if goods_code not in catalogue:
                continue
            line: dict[str, Any] = {
                "catalogue_item": catalogue[goods_code].pk,
                "quantity": str(rng.randint(low, high)),
                "unit": unit,
            }
            if conc and rng.random() < 0.8:
                line["concentration"] = str(rng.randint(*conc))
            if rng.random() < 0.7:
                hs = (catalogue[goods_code].hs_codes or [""])[0]
                line["actual_hs"] = hs
                line["declared_hs"] = hs if rng.random() < 0.6 else "3824.99"
                line["declared_description"] = rng.choice(["Fertiliser", "Chemicals for industry", "Spare parts",
                                                           "Cleaning products", catalogue[goods_code].name_en])  # fmt: skip
            goods.append(line)
        what = ", ".join(
            f"{g['quantity']} {g['unit']} of {catalogue_item.name_en.lower()}"
            for g in goods
            for catalogue_item in [next(c for c in catalogue.values() if c.pk == g["catalogue_item"])]
        )
        origin, other = rng.sample(partners, 2)
        direction = rng.choice(["import", "import", "import", "export", "transit"])
        route = [(origin, "departure"), (code, "destination")] if direction == "import" else [
            (code, "departure"), (origin, "destination")]  # fmt: skip
        if direction == "transit":
            route = [(origin, "departure"), (code, "transit"), (other, "destination")]
        complete = rng.random() < 0.65  # about a third of the records leave recommended fields empty
        data: dict[str, Any] = {
            "incident_type": kind,
            "occurred_on": today - dt.timedelta(days=rng.randint(5, 560)),
            "office_name": office,
            "location_type": location,
            "direction": direction,
            "detection_method": rng.choice(detections),
            "conveyance": conveyance if complete or rng.random() < 0.5 else "",
            "concealment": rng.choice(_SEIZURE_CONCEALMENTS) if complete else "",
            "route": route if complete or rng.random() < 0.5 else route[:1],
            "ports": "",
            "source": "ncp_report",
            "national_reference": f"{code}-{today.year}-{rng.randint(100, 9999)}" if complete else "",
            "narrative": rng.choice(_SEIZURE_NARRATIVES).format(what=what) if complete or rng.random() < 0.4 else "",
            "goods": goods,
            "parties": [
                {"role": "consignor", "name": rng.choice(_SEIZURE_COMPANIES), "country": origin},
                {"role": "consignee", "name": rng.choice(_SEIZURE_COMPANIES), "country": code},
            ][: rng.choice([0, 1, 2, 2]) if not complete else 2],
            "persons": [
                {
                    "role": "driver" if conveyance == "vehicle" else "courier",
                    "nationality": rng.choice([code, other]),
                    "gender": rng.choice(["male", "male", "female"]),
                    "year_of_birth": rng.randint(1960, 2000),
                    "name": "",
                    "name_shared": False,
                }
            ]
            if rng.random() < 0.3
            else [],
        }
        incident = seizures.incident_create(actor=ncp, data=data)
        made.append(incident)
        if n >= 36:  # a few drafts stay with their country
            continue
        region = regional.get(region_of.get(code, ""))
        dist = Distribution()
        if n % 3 == 0 and region is not None:
            dist = Distribution(communities=[region.pk])
        elif n % 5 == 1:
            dist = Distribution(countries=["NG" if code != "NG" else "FR"])
        seizures.incident_submit(actor=ncp, incident=incident, distribution=dist)
        if n % 4 in (1, 2):
            seizures.incident_validate(actor=analyst, incident=incident)
    # The analyst's review: one returned with a question, one answered by a correction, one withdrawn.
    returned, corrected, withdrawn = made[3], made[11], made[20]
    seizures.incident_return(
        actor=analyst, incident=returned, comment="Please give the actual HS code and the consignee's registration."
    )
    seizures.incident_comment(
        actor=users[f"ncp.{str(returned.reporting_country).lower()}@demo.example"], incident=returned,
        body="The laboratory report is expected next week; we will correct the record then.",
    )  # fmt: skip
    corrected.refresh_from_db()
    if corrected.status in ("submitted", "validated"):
        reporter = users[f"ncp.{str(corrected.reporting_country).lower()}@demo.example"]
        seizures.incident_record_view(actor=analyst, incident=corrected)
        seizures.incident_correct(
            actor=reporter, incident=corrected, note="Laboratory result: concentration confirmed",
            data={"concealment": "Declared as cleaning chemicals", "national_reference": "LAB-2026-118"},
        )  # fmt: skip
    withdrawn.refresh_from_db()
    if withdrawn.status in ("submitted", "validated"):
        reporter = users[f"ncp.{str(withdrawn.reporting_country).lower()}@demo.example"]
        seizures.incident_withdraw(actor=reporter, incident=withdrawn, note="Entered twice; see the other record.")
    _demo_seizure_photos(users, made)


def _demo_image(seed: int, label: str, *, size: tuple[int, int] = (640, 420)) -> bytes:
    """A small, deterministic "photo" drawn with Pillow: sacks or drums on a pallet, a scale bar and a
    label (no real photo, no metadata)."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randint(150, 190), rng.randint(150, 180), rng.randint(130, 160)))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, height * 2 // 3, width, height), fill=(110, 100, 90))  # floor
    draw.rectangle((60, height - 90, width - 60, height - 70), fill=(140, 100, 60))  # pallet
    drums = rng.random() < 0.5
    colour = rng.choice([(240, 240, 235), (40, 90, 160), (200, 60, 40), (70, 120, 60)])
    for row in range(2):
        for col in range(5):
            x = 80 + col * (width - 160) // 5
            y = height - 90 - (row + 1) * 90
            if drums:
                draw.rounded_rectangle((x, y, x + 80, y + 85), radius=10, fill=colour, outline=(30, 30, 30), width=2)
                draw.line((x, y + 28, x + 80, y + 28), fill=(30, 30, 30), width=2)
            else:
                draw.rounded_rectangle(
                    (x, y + 10, x + 90, y + 85), radius=18, fill=colour, outline=(60, 60, 60), width=2
                )
                draw.text((x + 18, y + 40), "N-34", fill=(30, 30, 30))
    draw.rectangle((20, 20, 220, 30), fill=(0, 0, 0))  # a 1 m scale bar
    draw.text((20, 36), "1 m", fill=(0, 0, 0))
    draw.rectangle((0, 0, width - 1, height - 1), outline=(60, 60, 60))
    draw.text((width - 260, 20), label, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF drawn with Pillow (a scanned-looking document)."""
    import io

    from PIL import Image, ImageDraw

    page = Image.new("RGB", (595, 842), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((60, 70 + n * 26), line, fill=(0, 0, 0))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=72.0)
    return out.getvalue()


def _demo_seizure_photos(users: dict[str, Any], made: list[Any]) -> None:
    """Photos (and a laboratory report) on a few submitted seizure records, through the same
    pipeline as an upload from the page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shieldhub.seizures import attachments
    from shieldhub.seizures.models import Incident

    ids = [i.pk for i in made if i.incident_type == "seizure"]
    shown = list(Incident.objects.filter(pk__in=ids, status__in=["submitted", "validated"]).order_by("pk")[:3])
    for n, incident in enumerate(shown):
        reporter = users[f"ncp.{str(incident.reporting_country).lower()}@demo.example"]
        for k, caption in enumerate(["The consignment as found", "Close-up of the marking"][: 2 if n == 0 else 1]):
            photo = _demo_image(1000 + n * 10 + k, f"{incident.reference} · {k + 1}")
            attachments.attachment_add(
                actor=reporter,
                incident=incident,
                file=SimpleUploadedFile(f"IMG_{2026 + n}{k:02d}.jpg", photo, content_type="image/jpeg"),
                caption=caption,
            )
        if n == 0:
            report = _demo_pdf([f"Laboratory report - {incident.reference}", "Sample 1: ammonium nitrate, 34 % N",
                                "Method: ion chromatography", "Result confirmed by a second analyst"])  # fmt: skip
            attachments.attachment_add(
                actor=reporter,
                incident=incident,
                file=SimpleUploadedFile("laboratory-report.pdf", report, content_type="application/pdf"),
                caption="Laboratory result",
            )


_SHIPMENT_PLANS = [
    # exporting, importing, transit, goods code, unit, quantity, end use, fate
    ("FR", "MA", [], "ammonium-nitrate", "t", 48, "Blending of NPK fertiliser", "confirmed"),
    ("FR", "KE", ["EG"], "hydrogen-peroxide", "L", 12000, "Bleaching in a textile mill", "objected"),
    ("IN", "KE", [], "potassium-chlorate", "kg", 2500, "Match manufacturing", "concerns"),
    ("IN", "NG", ["AE"], "ammonium-nitrate", "t", 96, "Quarry blasting (licensed mine)", "overdue"),
    ("BR", "NG", [], "aluminium-powder", "kg", 800, "Paint pigments", "late"),
    ("ID", "JO", ["MY"], "nitric-acid", "L", 6000, "Metal surface treatment", "delivered"),
    ("MA", "FR", [], "urea", "t", 30, "Agriculture", "confirmed"),
    ("KE", "ID", [], "sodium-chlorate", "kg", 4000, "Pulp bleaching", "notified"),
    ("JO", "IN", ["AE"], "nitromethane", "L", 200, "Model engine fuel distributor", "concerns"),
    ("NG", "BR", [], "safety-fuses", "pcs", 3000, "Mining contractor", "notified"),
    ("FR", "NG", ["MA"], "electric-detonators", "pcs", 1200, "Construction blasting", "overdue"),
    ("BR", "MA", [], "ammonium-nitrate", "t", 24, "Fertiliser retail", "withdrawn"),
    ("IN", "JO", [], "hydrogen-peroxide", "L", 3000, "Water treatment", "delivered"),
    ("KE", "FR", [], "potassium-chlorate", "kg", 500, "Laboratory reagents", "draft"),
    ("ID", "BR", [], "aluminium-powder", "kg", 250, "Pyrotechnics (licensed)", "draft"),
]
_SHIPMENT_COMPANIES = {
    "FR": ("Chimie du Rhône SA", "Engrais de l'Ouest SAS"),
    "KE": ("Nairobi Agro Supplies Ltd", "Rift Valley Hardware Ltd"),
    "NG": ("Lagos Industrial Chemicals Ltd", "Kano Mining Services Ltd"),
    "MA": ("Atlas Négoce SA", "Engrais du Souss SARL"),
    "IN": ("Gujarat Oxidants Pvt Ltd", "Deccan Fertilisers Ltd"),
    "BR": ("Nova Fertilizantes Ltda", "Química Paulista SA"),
    "JO": ("Al-Noor General Trading", "Aqaba Industrial Supplies"),
    "ID": ("Kalimantan Agro Makmur PT", "Surabaya Kimia PT"),
}


def _demo_shipments(users: dict[str, Any], rng: random.Random) -> None:
    """Fifteen pre-export notifications between the demo NCP countries, in every state: drafts,
    awaiting verification, confirmed, confirmed with concerns, objected (then seized, linked to a
    seizure record of the importing country), answered late, overdue, delivered, withdrawn."""
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures.models import Incident
    from shieldhub.shipments import services as shipments
    from shieldhub.shipments.models import Shipment, ShipmentVerification

    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    if "ammonium-nitrate" not in catalogue:
        return
    today = timezone.localdate()
    documents_added = False
    for n, (exp, imp, transit, goods, unit, qty, end_use, fate) in enumerate(_SHIPMENT_PLANS):
        if goods not in catalogue:
            continue
        exporter_ncp = users[f"ncp.{exp.lower()}@demo.example"]
        importer_ncp = users[f"ncp.{imp.lower()}@demo.example"]
        seller, buyer = _SHIPMENT_COMPANIES[exp][n % 2], _SHIPMENT_COMPANIES[imp][n % 2]
        dispatch = today + dt.timedelta(days=rng.randint(10, 40))
        shipment = shipments.shipment_create(
            actor=exporter_ncp,
            data={
                "importing_country": imp,
                "national_reference": f"{exp}-PEN-{today.year}-{100 + n:04d}",
                "exporter": {"name": seller, "country": exp},
                "importer": {"name": buyer, "country": imp},
                "consignee": {"name": buyer, "country": imp},
                "end_user": {"name": _SHIPMENT_COMPANIES[imp][(n + 1) % 2], "country": imp},
                "declared_end_use": end_use,
                "planned_dispatch": dispatch,
                "planned_arrival": dispatch + dt.timedelta(days=rng.randint(7, 30)),
                "transport_mode": rng.choice(["vessel", "vessel", "vehicle", "air"]),
                "route": transit,
                "documents": f"Export authorisation {exp}-EA-{rng.randint(1000, 9999)}\n"
                f"Import permit {imp}-IP-{rng.randint(1000, 9999)}",
                "lines": [{"catalogue_item": catalogue[goods].pk, "quantity": str(qty), "unit": unit,
                           "description": catalogue[goods].name_en}],
            },
        )  # fmt: skip
        if fate == "draft":
            continue
        shipments.shipment_notify(actor=exporter_ncp, shipment=shipment)
        if fate in ("late", "overdue"):
            # notified three weeks ago, the deadline now past
            ShipmentVerification.objects.filter(shipment=shipment).update(deadline=today - dt.timedelta(days=4))
        if fate == "overdue":
            ShipmentVerification.objects.filter(shipment=shipment).update(status="overdue")
            Shipment.objects.filter(pk=shipment.pk).update(status="overdue")
        elif fate == "late":
            shipments.verification_answer(actor=importer_ncp, shipment=shipment, answer="confirmed")
        elif fate in ("confirmed", "delivered"):
            shipments.verification_answer(actor=importer_ncp, shipment=shipment, answer="confirmed")
            if fate == "delivered":
                shipments.shipment_outcome(actor=exporter_ncp, shipment=shipment, outcome="delivered")
        elif fate == "concerns":
            shipments.verification_answer(
                actor=importer_ncp, shipment=shipment, answer="confirmed_with_concerns",
                reason="The end user was registered three months ago; we will inspect the goods on arrival.",
            )  # fmt: skip
        elif fate == "objected":
            shipments.verification_answer(
                actor=importer_ncp, shipment=shipment, answer="objected",
                reason="The consignee holds no licence for hydrogen peroxide above 8 %; the shipment should be stopped.",
            )  # fmt: skip
            seizure = (
                Incident.objects.filter(reporting_country=imp, status__in=["submitted", "validated"])
                .order_by("-occurred_on")
                .first()
            )
            shipments.shipment_outcome(
                actor=importer_ncp, shipment=shipment, outcome="seized", seizure=seizure.pk if seizure else None,
                note="Held at the port of entry and seized.",
            )  # fmt: skip
        elif fate == "withdrawn":
            shipments.shipment_withdraw(actor=exporter_ncp, shipment=shipment, note="The buyer cancelled the order.")
        if fate in ("objected", "confirmed") and not documents_added:
            documents_added = True
            _demo_shipment_documents(exporter_ncp, shipment)


_HISTORY_ROUTES = [
    # exporting, importing, goods code, unit, quantity range, end use
    ("FR", "MA", "ammonium-nitrate", "t", (20, 120), "Blending of NPK fertiliser"),
    ("FR", "KE", "hydrogen-peroxide", "L", (2000, 15000), "Bleaching in a textile mill"),
    ("IN", "KE", "potassium-chlorate", "kg", (500, 4000), "Match manufacturing"),
    ("IN", "NG", "ammonium-nitrate", "t", (40, 150), "Quarry blasting (licensed mine)"),
    ("BR", "NG", "aluminium-powder", "kg", (200, 1500), "Paint pigments"),
    ("ID", "JO", "nitric-acid", "L", (1000, 8000), "Metal surface treatment"),
    ("MA", "FR", "urea", "t", (10, 60), "Agriculture"),
    ("IN", "JO", "hydrogen-peroxide", "L", (1000, 5000), "Water treatment"),
    ("BR", "MA", "ammonium-nitrate", "t", (10, 50), "Fertiliser retail"),
    ("KE", "ID", "sodium-chlorate", "kg", (1000, 6000), "Pulp bleaching"),
]


def _demo_shipment_history(users: dict[str, Any], rng: random.Random) -> None:
    """Closed notifications of the eighteen months before this one (two to four a month, on the
    routes the demo countries trade), so the shipments dashboard has a history: notified, answered
    (mostly on time, some late, a few with concerns), then delivered. Written through the
    services, then dated back (the dashboards' summaries are rebuilt at the end of the demo)."""
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.shipments import services as shipments
    from shieldhub.shipments.models import Shipment, ShipmentVerification
    from shieldhub.shipments.summaries import TABLE

    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    this_month = timezone.localdate().replace(day=1)
    serial = 0
    with TABLE.batch():
        for back in range(18, 0, -1):
            month = (this_month - dt.timedelta(days=30 * back)).replace(day=1)
            for _ in range(rng.randint(2, 4)):
                exp, imp, goods, unit, (low, high), end_use = rng.choice(_HISTORY_ROUTES)
                if goods not in catalogue:
                    continue
                serial += 1
                notified = timezone.make_aware(
                    dt.datetime.combine(month + dt.timedelta(days=rng.randint(0, 27)), dt.time(9 + rng.randint(0, 7)))
                )
                shipment = shipments.shipment_create(
                    actor=users[f"ncp.{exp.lower()}@demo.example"],
                    data={
                        "importing_country": imp,
                        "national_reference": f"{exp}-PEN-{notified.year}-H{serial:03d}",
                        "exporter": {"name": _SHIPMENT_COMPANIES[exp][serial % 2], "country": exp},
                        "importer": {"name": _SHIPMENT_COMPANIES[imp][serial % 2], "country": imp},
                        "consignee": {"name": _SHIPMENT_COMPANIES[imp][serial % 2], "country": imp},
                        "declared_end_use": end_use,
                        "planned_dispatch": notified.date() + dt.timedelta(days=21),
                        "planned_arrival": notified.date() + dt.timedelta(days=21 + rng.randint(7, 30)),
                        "transport_mode": rng.choice(["vessel", "vessel", "vehicle", "air"]),
                        "lines": [{"catalogue_item": catalogue[goods].pk, "unit": unit,
                                   "quantity": str(rng.randint(low, high)), "description": catalogue[goods].name_en}],
                    },
                )  # fmt: skip
                exporter, importer = users[f"ncp.{exp.lower()}@demo.example"], users[f"ncp.{imp.lower()}@demo.example"]
                shipments.shipment_notify(actor=exporter, shipment=shipment)
                roll = rng.random()
                if roll < 0.15:
                    shipments.verification_answer(
                        actor=importer, shipment=shipment, answer="confirmed_with_concerns",
                        reason="The end user is new to us; the goods will be inspected on arrival.",
                    )  # fmt: skip
                else:
                    shipments.verification_answer(actor=importer, shipment=shipment, answer="confirmed")
                shipments.shipment_outcome(actor=exporter, shipment=shipment, outcome="delivered")
                verification = ShipmentVerification.objects.get(shipment=shipment)
                deadline = verification.deadline - (verification.created_at.date() - notified.date())
                answered = notified + dt.timedelta(
                    days=rng.randint(15, 30) if roll > 0.85 else rng.randint(1, 12), hours=rng.randint(0, 6)
                )
                ShipmentVerification.objects.filter(pk=verification.pk).update(
                    created_at=notified, deadline=deadline, answered_at=answered
                )
                delivered = answered + dt.timedelta(days=rng.randint(20, 45))
                Shipment.objects.filter(pk=shipment.pk).update(
                    created_at=notified - dt.timedelta(days=1), notified_at=notified, updated_at=delivered,
                    outcome_at=delivered,
                )  # fmt: skip


def _demo_shipment_documents(actor: Any, shipment: Any) -> None:
    """An invoice and an end-user certificate on a shipment, through the upload pipeline."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shieldhub.shipments import documents

    reference = shipment.national_reference or shipment.reference
    files = [
        ("invoice", f"invoice-{reference}.pdf", "Commercial invoice",
         [f"Commercial invoice - {reference}", f"Exporter: {shipment.exporter}", f"Consignee: {shipment.consignee}"]),
        ("end_user_cert", "end-user-certificate.pdf", "Signed by the end user",
         ["End-user certificate", f"End user: {shipment.end_user}", f"Declared end use: {shipment.declared_end_use}"]),
    ]  # fmt: skip
    for kind, name, caption, lines in files:
        documents.document_add(
            actor=actor,
            shipment=shipment,
            file=SimpleUploadedFile(name, _demo_pdf(lines), content_type="application/pdf"),
            document_type=kind,
            caption=caption,
        )


def _demo_entities(users: dict[str, Any]) -> None:
    """A few near-duplicate companies named by extra records (another spelling, a missing country, a
    typo), the "same as" suggestion pass over every entity, and one suggestion already confirmed."""
    from shieldhub.entities import services as entities
    from shieldhub.entities.models import EntityLink
    from shieldhub.exchange.services import Distribution
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures import services as seizures

    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    if "ammonium-nitrate" not in catalogue:
        return
    analyst = users["analyst@demo.example"]
    today = timezone.localdate()
    spellings = [  # (reporting NCP, days ago, consignor, its country, consignee, its country)
        ("in", 400, "Nitro Chemicals Ltd", "IN", "Bright Future Import Export", "IN"),
        ("ke", 220, "NITRO-CHEMICALS LIMITED", "", "Rift Valley Hardware Ltd", "KE"),
        ("fr", 150, "Nitro Chemical Ltd.", "IN", "Atlas Négoce SA", "FR"),
        ("ke", 90, "Gulf Agro Trading L.L.C.", "", "Eastern Star Logistics Ltd", "KE"),
        ("fr", 40, "Nitro Chemicals Ltd", "IN", "Atlas Negoce S.A.", "FR"),
    ]
    for code, days, consignor, origin, consignee, destination in spellings:
        ncp = users.get(f"ncp.{code}@demo.example")
        if ncp is None:
            continue
        incident = seizures.incident_create(actor=ncp, data={
            "incident_type": "seizure", "occurred_on": today - dt.timedelta(days=days),
            "office_name": "Demo office", "location_type": "seaport", "direction": "import",
            "detection_method": "risk_profiling", "conveyance": "vessel", "source": "ncp_report",
            "route": [(origin or "AE", "departure"), (str(ncp.country), "destination")]
            if (origin or "AE") != str(ncp.country) else [(origin, "departure")],
            "goods": [{"catalogue_item": catalogue["ammonium-nitrate"].pk, "quantity": "12", "unit": "t"}],
            "parties": [{"role": "consignor", "name": consignor, "country": origin},
                        {"role": "consignee", "name": consignee, "country": destination}],
        })  # fmt: skip
        seizures.incident_submit(actor=ncp, incident=incident, distribution=Distribution())
    entities.entities_renormalise(actor=None)
    entities.suggest_links(actor=None)
    first = EntityLink.objects.filter(entity_a__normalised_name="nitro chemicals", status="suggested").first()
    if first is not None:
        entities.link_decide(actor=analyst, link=first, status="confirmed", note="Same exporter (IEC code).")


def _demo_screening(users: dict[str, Any], rng: random.Random) -> None:
    """The screening watch lists (a few countries, fifty entities) and one finished run of the French
    NCP over a small generated declarations file. The rules come from the app's migration."""
    from shieldhub.screening import services as screening
    from shieldhub.screening.models import WatchListEntity

    analyst = users["analyst@demo.example"]
    ncp = users.get("ncp.fr@demo.example")
    for code, reason in (("SY", "Conflict zone: diversion risk"), ("AF", "Conflict zone: IED use"),
                         ("YE", "Conflict zone"), ("LY", "Porous borders, arms trafficking")):  # fmt: skip
        screening.watch_country_add(actor=analyst, country=code, reason=reason)
    words = ["Sahel", "Atlas", "Nile", "Delta", "Horizon", "Cedar", "Falcon", "Summit", "Oasis", "Dune"]
    trades = ["Agro", "Chemicals", "Trading", "Logistics", "Mining Supplies", "Fertilisers", "Import Export"]
    forms_ = ["Ltd", "LLC", "SARL", "FZE", "SA"]
    rows = [["Name", "Country", "Reason", "Source"],
            ["Nitro Chemicals Ltd", "IN", "Supplier of AN found in three seizures", "Programme"],
            ["Gulf Agro Trading LLC", "AE", "Transshipment of AN declared as urea", "Programme"]]  # fmt: skip
    while len(rows) < 51:
        name = f"{rng.choice(words)} {rng.choice(trades)} {rng.choice(forms_)}"
        if name not in {r[0] for r in rows}:
            rows.append([name, rng.choice(["AE", "TR", "NG", "ML", "PK", "SY"]), "Demo listing", "Demo"])
    if not WatchListEntity.objects.exists():
        data = "\n".join(",".join(r) for r in rows).encode()
        screening.watch_entities_upload(actor=analyst, file_name="demo-entities.csv", data=data)
    if ncp is None:
        return
    goods = [("Ammonium nitrate 34.4% N", "310230"), ("Urea 46% N", "310210"), ("Aluminium powder", "760310"),
             ("Hydrogen peroxide 50%", "284700"), ("Acetone", "291411"), ("Cotton T-shirts", "610910"),
             ("Spare parts for trucks", "870899"), ("Rice", "100630"), ("Solar panels", "854143")]  # fmt: skip
    consignees = ["Atlas Négoce SA", "Ferme du Val", "Chimie Ouest SARL", "Bricolage Pro", "Lyon Textiles",
                  "Gulf Agro Trading L.L.C.", "Agri Centre SA", "Labo Services"]  # fmt: skip
    lines = ["Reference;Date;Exporter;Consignee;Origin;Destination;Route;HS code;Goods description;Quantity;Unit"]
    today = timezone.localdate()
    # what each consignee usually receives (indexes into goods); two of them get a worrying mix
    usual = {0: [0, 2], 1: [1, 7], 2: [3, 4], 3: [5, 6, 8], 4: [5], 5: [1, 0], 6: [1, 7, 8], 7: [6, 8]}
    exporters = (
        ["Acme Exports"] * 6 + ["Deutsche Chemie GmbH"] * 6 + ["Shanghai Metals Co"] * 6 + ["Nitro Chemicals Ltd"]
    )
    for n in range(200):
        who = rng.randrange(len(consignees))
        description, hs = goods[rng.choice(usual[who])]
        if rng.random() < 0.04:
            hs = "310210" if hs == "310230" else "310230"
        lines.append(";".join([
            f"FR-DEMO-{n + 1:04d}", (today - dt.timedelta(days=rng.randint(0, 60))).isoformat(),
            rng.choice(exporters), consignees[who], rng.choice(["IN", "DE", "CN", "AE", "TR"]), "FR",
            rng.choice(["", "", "", "", "", "", "AE", "TR", "SY"]), hs, description, str(rng.randint(1, 40)), "t",
        ]))  # fmt: skip
    run = screening.run_create(actor=ncp, file_name="declarations-demo.csv",
                               chunks=[("\n".join(lines) + "\n").encode()], enqueue=False)  # fmt: skip
    screening.run_process(run_id=run.pk)
