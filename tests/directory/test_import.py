"""Import of people: parsing, validation by row and column, duplicates, all-or-nothing commit."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from shieldhub.core.models import AuditEntry
from shieldhub.directory import imports
from shieldhub.directory.models import Organisation, Person
from shieldhub.reference.models import Country, WcoRegion
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

EN_HEADERS = ["Title", "Given name", "Family name", "Email", "Organisation", "Country", "Position", "Phone", "Languages", "Preferred language", "Notes"]  # fmt: skip
FR_HEADERS = ["Civilité", "Prénom", "Nom", "Courriel", "Organisme", "Pays", "Fonction", "Téléphone", "Langues", "Langue préférée", "Notes"]  # fmt: skip


@pytest.fixture
def countries(db):
    europe = WcoRegion.objects.create(code="EUR", name_en="Europe", name_fr="Europe")
    esa = WcoRegion.objects.create(
        code="ESA", name_en="East and Southern Africa", name_fr="Afrique orientale et australe"
    )
    wca = WcoRegion.objects.create(
        code="WCA", name_en="West and Central Africa", name_fr="Afrique occidentale et centrale"
    )
    rows = [
        ("FR", "FRA", 250, "France", "France", europe),
        ("DE", "DEU", 276, "Germany", "Allemagne", europe),
        ("KE", "KEN", 404, "Kenya", "Kenya", esa),
        ("CI", "CIV", 384, "Côte d'Ivoire", "Côte d'Ivoire", wca),
        ("GB", "GBR", 826, "United Kingdom", "Royaume-Uni", europe),
    ]
    for code, iso3, numeric, en, fr, region in rows:
        Country.objects.create(
            code=code, iso3=iso3, numeric=numeric, name_en=en, name_fr=fr, wco_member=True, wco_region=region
        )


@pytest.fixture
def dgddi(db):
    return OrganisationFactory(name="Direction générale des douanes et droits indirects", acronym="DGDDI", country="FR")


def xlsx_bytes(headers, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, *, delimiter=";", encoding="cp1252"):
    lines = [delimiter.join(headers)] + [delimiter.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def payload_for(data, name="people.xlsx"):
    parsed = imports.parse_upload(name, data)
    return {"file_name": parsed.file_name, "rows": parsed.rows, "columns": parsed.columns, "ignored_columns": parsed.ignored_columns}  # fmt: skip


def upload(client, data, name="people.xlsx"):
    return client.post(reverse("directory:person-import"), {"file": SimpleUploadedFile(name, data)})


def preview_token(response):
    assert response.status_code == 302, response.content[:500]
    return parse_qs(urlsplit(response["Location"]).query)["token"][0]


# --- happy paths ----------------------------------------------------------------------------


def test_csv_semicolon_cp1252_with_french_headers_is_imported_end_to_end(login, coordinator, countries, dgddi):
    client = login(coordinator)
    data = csv_bytes(
        FR_HEADERS,
        [
            [
                "Mme",
                "Élodie",
                "Lefèvre",
                "Elodie.Lefevre@douane.finances.gouv.fr",
                "DGDDI",
                "France",
                "Cheffe de bureau",
                "+33 1 23 45 67 89",
                "fr, en",
                "fr",
                "",
            ],
            [
                "M.",
                "Koffi",
                "N'Guessan",
                "koffi@douanes.ci",
                "",
                "cote d'ivoire",
                "Inspecteur",
                "",
                "fr",
                "Français",
                "Vu à Abidjan",
            ],
        ],
    )
    response = upload(client, data, name="contacts.csv")
    token = preview_token(response)
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "contacts.csv" in html
    assert 'id="import-errors"' not in html
    assert 'name="token"' in html

    response = client.post(reverse("directory:person-import-commit"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:person-list")
    elodie = Person.objects.get(family_name="Lefèvre")
    assert elodie.given_name == "Élodie"
    assert elodie.title == "ms"
    assert elodie.email == "elodie.lefevre@douane.finances.gouv.fr"
    assert elodie.organisation == dgddi
    assert elodie.country == "FR"
    assert elodie.position == "Cheffe de bureau"
    assert elodie.phones == ["+33 1 23 45 67 89"]
    assert elodie.languages == ["fr", "en"]
    assert elodie.preferred_language == "fr"
    assert "elodie" in elodie.search_text and "dgddi" in elodie.search_text and "lefevre" in elodie.search_text
    koffi = Person.objects.get(family_name="N'Guessan")
    assert koffi.country == "CI" and koffi.title == "mr" and koffi.notes == "Vu à Abidjan"
    assert koffi.organisation is None and koffi.preferred_language == "fr"

    entry = AuditEntry.objects.get(action="directory.person.import")
    assert entry.actor == coordinator
    assert entry.extra["file"] == "contacts.csv"
    assert entry.extra["created"] == 2 and entry.extra["merged"] == 0
    assert sorted(entry.extra["created_ids"]) == sorted([elodie.pk, koffi.pk])
    # the payload is gone: the same token cannot import twice
    again = client.post(reverse("directory:person-import-commit"), {"token": token})
    assert again.status_code == 302 and again["Location"] == reverse("directory:person-import")
    assert Person.objects.filter(family_name="Lefèvre").count() == 1


def test_xlsx_with_english_headers_in_another_order_and_case(coordinator, countries, dgddi):
    headers = ["EMAIL", "family NAME", "Given Name", "organisation", "country", "Languages", "Unknown column"]
    data = xlsx_bytes(headers, [["a.smith@hmrc.gov.uk", "Smith", "Alice", "", "GBR", "en", "x"], ["b@x.de", "Müller", "Bernd", "Direction generale des douanes et droits indirects", "DE", "de", ""]])  # fmt: skip
    payload = payload_for(data)
    assert payload["ignored_columns"] == ["Unknown column"]
    result = imports.person_import_validate(actor=coordinator, payload=payload)
    assert result.ok and result.total == 2 and result.valid_count == 2
    outcome = imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=False)
    assert len(outcome.created) == 2
    assert Person.objects.get(family_name="Smith").country == "GB"
    assert Person.objects.get(family_name="Müller").organisation == dgddi


def test_utf8_csv_with_bom_and_commas(coordinator, countries):
    data = "\ufeffFamily name,Given name,Country\nOtieno,John,Kenya\n".encode()
    payload = payload_for(data, "x.csv")
    outcome = imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=False)
    assert Person.objects.get(pk=outcome.created[0]).country == "KE"


# --- errors -----------------------------------------------------------------------------------

BAD_ROWS = [
    ["", "Anne", "", "anne@example.org", "", "France", "", "", "", "", ""],  # row 2: no family name
    ["", "Bob", "Brown", "not-an-email", "", "France", "", "", "", "", ""],  # row 3: bad email
    ["", "Carl", "Clark", "carl@example.org", "", "Atlantis", "", "", "", "", ""],  # row 4: unknown country
    ["", "Dina", "Dale", "dina@example.org", "", "FR", "", "", "en, xx", "", ""],  # row 5: bad language
    ["", "Eve", "Evans", "eve@example.org", "", "FR", "", "", "", "", ""],  # row 6: fine
    ["", "Eva", "Ewing", "EVE@example.org", "", "FR", "", "", "", "", ""],  # row 7: same email as row 6
    ["Sir", "Fay", "Ford", "fay@example.org", "", "FR", "", "", "", "de", ""],  # row 8: title, preferred
]


def _errors(result):
    with translation.override("en"):  # a French request earlier in the thread may have left "fr" active
        return [(e.row, e.label) for e in result.errors]


def test_errors_are_reported_by_row_and_column_and_nothing_is_written(coordinator, countries):
    payload = payload_for(xlsx_bytes(EN_HEADERS, BAD_ROWS))
    result = imports.person_import_validate(actor=coordinator, payload=payload)
    assert not result.ok
    assert _errors(result) == [
        (2, "Family name"),
        (3, "Email"),
        (4, "Country"),
        (5, "Languages"),
        (7, "Email"),
        (8, "Title"),
        (8, "Preferred language"),
    ]
    with translation.override("en"):
        messages = {(e.row, e.column): str(e.message) for e in result.errors}
    assert messages[(2, "family_name")] == "The family name is missing."
    assert "not-an-email" in messages[(3, "email")]
    assert "Atlantis" in messages[(4, "country")]
    assert "“xx”" in messages[(5, "languages")]
    assert "row 6" in messages[(7, "email")]
    assert result.error_rows == 6 and result.valid_count == 1
    before = Person.objects.count()
    with pytest.raises(imports.ImportRefused):
        imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=True)
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action="directory.person.import").exists()


def test_errors_are_reported_in_french(coordinator, countries):
    payload = payload_for(xlsx_bytes(FR_HEADERS, BAD_ROWS[:2]))
    with translation.override("fr"):
        result = imports.person_import_validate(actor=coordinator, payload=payload)
        assert [(e.row, e.label) for e in result.errors] == [(2, gettext("Family name")), (3, gettext("Email"))]
        assert str(result.errors[0].message) == gettext("The family name is missing.")
        assert gettext("Email") == "Courriel"  # a label French already has


def test_preview_page_lists_errors_and_offers_no_import(login, coordinator, countries):
    client = login(coordinator)
    response = upload(client, xlsx_bytes(EN_HEADERS, BAD_ROWS))
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert 'id="import-errors"' in html
    assert "The family name is missing." in html
    assert "Atlantis" in html
    assert reverse("directory:person-import-commit") not in html
    assert Person.objects.count() == 0
    # a commit forced through anyway is refused, and writes nothing
    token = preview_token(response)
    refused = client.post(reverse("directory:person-import-commit"), {"token": token})
    assert refused.status_code == 400
    assert "nothing was imported" in refused.content.decode()
    assert Person.objects.count() == 0


def test_french_column_names_on_the_preview(login, coordinator, countries):
    coordinator.language = "fr"
    coordinator.save()
    client = login(coordinator)
    response = upload(client, xlsx_bytes(FR_HEADERS, BAD_ROWS[:1]))
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    with translation.override("fr"):
        label = gettext("Family name")
        message = gettext("The family name is missing.")
    html = preview.content.decode()
    assert f"<td>{label}</td>" in html
    assert message.replace("'", "&#x27;") in html


def test_file_level_errors(coordinator, countries):
    with pytest.raises(imports.ImportFileError, match="Family name"):
        imports.parse_upload("x.xlsx", xlsx_bytes(["Given name", "Email"], [["A", "a@x.org"]]))
    with pytest.raises(imports.ImportFileError, match="no data rows"):
        imports.parse_upload("x.xlsx", xlsx_bytes(EN_HEADERS, []))
    with pytest.raises(imports.ImportFileError, match="both hold"):
        imports.parse_upload("x.csv", b"Nom;Family name\nA;B\n")


def test_row_numbers_count_blank_rows_as_in_the_file(coordinator, countries):
    data = b"\nFamily name;Email\nA;a@x.org\n;\nB;bad\n"
    payload = payload_for(data, "x.csv")
    result = imports.person_import_validate(actor=coordinator, payload=payload)
    assert _errors(result) == [(5, "Email")]


# --- files checked by content and size ----------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def test_a_png_named_xlsx_is_refused(login, coordinator, countries, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(coordinator)
    response = upload(client, PNG, name="people.xlsx")
    assert response.status_code == 200
    assert "neither an Excel workbook" in response.content.decode()
    assert not list((tmp_path / "imports").glob("*")) if (tmp_path / "imports").exists() else True


def test_an_oversize_file_is_refused(login, coordinator, countries):
    client = login(coordinator)
    data = xlsx_bytes(EN_HEADERS, [["", "A", "B", "a@x.org", "", "", "", "", "", "", ""]] * 50)
    with override_settings(UPLOAD_MAX_BYTES=1024):
        response = upload(client, data)
        assert response.status_code == 200
        assert "larger than" in response.content.decode()
        with pytest.raises(imports.ImportFileError, match="larger than"):
            imports.parse_upload("x.xlsx", data)


def test_the_payload_is_stored_outside_the_web_root_and_bound_to_its_user(login, coordinator, assistant, countries):
    client = login(coordinator)
    response = upload(client, xlsx_bytes(EN_HEADERS, [["", "A", "Able", "", "", "", "", "", "", "", ""]]))
    token = preview_token(response)
    from django.conf import settings

    files = list((settings.MEDIA_ROOT / "imports").glob("*.json"))
    assert files and all(str(settings.STATIC_ROOT) not in str(f) for f in files)
    payload = imports.payload_load(user=coordinator, token=token)
    assert payload["rows"][0]["family_name"] == "Able"
    from django.core import signing

    with pytest.raises(signing.BadSignature):
        imports.payload_load(user=assistant, token=token)
    with pytest.raises(signing.BadSignature):
        imports.payload_load(user=coordinator, token=token + "x")
    imports.payload_delete(token=token)


# --- duplicates -------------------------------------------------------------------------------


@pytest.fixture
def existing(db, dgddi, countries):
    by_email = PersonFactory(
        given_name="Marie", family_name="Curie", email="marie.curie@douane.fr", other_emails=["mc@old.fr"],
        organisation=dgddi, country="FR", position="", phones=["+33 1 00 00 00 00"],
    )  # fmt: skip
    by_name = PersonFactory(
        given_name="Jean-Pierre", family_name="Dupont", email="jp.dupont@douane.fr", organisation=dgddi, country="FR"
    )
    return by_email, by_name


DUP_ROWS = [
    [
        "",
        "Marie",
        "Curie",
        "MARIE.CURIE@douane.fr",
        "DGDDI",
        "FR",
        "Analyste",
        "+33 6 11 11 11 11",
        "",
        "",
        "",
    ],  # row 2
    ["", "Maria", "Curie", "mc@old.fr", "DGDDI", "FR", "", "", "", "", ""],  # row 3: other email of the same person
    ["", "Jean Pierre", "DUPONT", "jpd@gmail.com", "DGDDI", "FR", "", "", "", "", ""],  # row 4: similar name
    ["", "Jean", "Dupond", "other@x.org", "", "FR", "", "", "", "", ""],  # row 5: no organisation: not a duplicate
]


def test_duplicates_are_found_by_email_and_by_similar_name_in_the_same_organisation(coordinator, existing):
    curie, dupont = existing
    payload = payload_for(xlsx_bytes(EN_HEADERS, DUP_ROWS))
    result = imports.person_import_validate(actor=coordinator, payload=payload)
    assert result.ok
    found = {d.row: (d.person_id, d.reason) for d in result.duplicates}
    assert found == {2: (curie.pk, "email"), 3: (curie.pk, "email"), 4: (dupont.pk, "name")}
    assert result.duplicates[2].score >= 90


def test_merge_skip_and_create_choices_are_honoured(coordinator, existing):
    curie, dupont = existing
    payload = payload_for(xlsx_bytes(EN_HEADERS, DUP_ROWS))
    people_before = Person.objects.count()
    outcome = imports.person_import_commit(
        actor=coordinator,
        payload=payload,
        create_organisations=False,
        choices={2: "merge", 3: "skip", 4: "create"},
    )
    assert outcome.merged == [curie.pk]
    assert outcome.skipped == [3]
    assert len(outcome.created) == 2  # rows 4 and 5
    assert Person.objects.count() == people_before + 2
    curie.refresh_from_db()
    assert curie.position == "Analyste"  # a blank field filled
    assert curie.email == "marie.curie@douane.fr"  # not replaced
    assert curie.phones == ["+33 1 00 00 00 00", "+33 6 11 11 11 11"]
    assert curie.given_name == "Marie"
    assert Person.objects.filter(family_name="DUPONT", email="jpd@gmail.com").exists()
    dupont.refresh_from_db()
    assert dupont.email == "jp.dupont@douane.fr"
    merge_entry = AuditEntry.objects.get(action="directory.person.import_merge")
    assert merge_entry.object_id == str(curie.pk)
    assert "position" in merge_entry.changes and merge_entry.changes["position"] == ["", "Analyste"]
    summary = AuditEntry.objects.get(action="directory.person.import")
    assert summary.extra["merged_ids"] == [curie.pk] and summary.extra["skipped_rows"] == [3]


def test_merge_adds_new_emails_to_other_emails(coordinator, existing):
    _curie, dupont = existing
    payload = payload_for(xlsx_bytes(EN_HEADERS, [DUP_ROWS[2]]))
    imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=False)  # default: merge
    dupont.refresh_from_db()
    assert dupont.email == "jp.dupont@douane.fr"
    assert dupont.other_emails == ["jpd@gmail.com"]
    assert "jpd@gmail.com" in dupont.search_text


def test_duplicate_choices_through_the_preview_form(login, coordinator, existing):
    curie, _dupont = existing
    client = login(coordinator)
    response = upload(client, xlsx_bytes(EN_HEADERS, DUP_ROWS[:3]))
    token = preview_token(response)
    html = client.get(response["Location"]).content.decode()
    assert 'id="import-duplicates"' in html
    assert 'name="dup_2"' in html and 'name="dup_4"' in html
    assert "Jean-Pierre Dupont" in html
    response = client.post(
        reverse("directory:person-import-commit"),
        {"token": token, "default_choice": "skip", "dup_4": "create", "dup_2": ""},
    )
    assert response.status_code == 302
    curie.refresh_from_db()
    assert curie.position == ""  # rows 2 and 3 skipped (the default)
    assert Person.objects.filter(email="jpd@gmail.com").count() == 1


def test_duplicates_within_the_file_by_name(coordinator, countries, dgddi):
    rows = [["", "Ann", "Lee", "", "DGDDI", "", "", "", "", "", ""], ["", "ann", "LEE", "", "dgddi", "", "", "", "", "", ""]]  # fmt: skip
    result = imports.person_import_validate(actor=coordinator, payload=payload_for(xlsx_bytes(EN_HEADERS, rows)))
    assert _errors(result) == [(3, "Family name")]
    assert "row 2" in str(result.errors[0].message)


# --- organisations ----------------------------------------------------------------------------


def test_unknown_organisations_are_created_only_when_asked(coordinator, countries):
    rows = [
        ["", "A", "Alpha", "", "Kenya Revenue Authority", "KE", "", "", "", "", ""],
        ["", "B", "Beta", "", "kenya revenue authority", "KE", "", "", "", "", ""],
    ]
    payload = payload_for(xlsx_bytes(EN_HEADERS, rows))
    result = imports.person_import_validate(actor=coordinator, payload=payload)
    assert result.ok
    assert [(o.name, o.country, o.rows) for o in result.new_organisations.values()] == [
        ("Kenya Revenue Authority", "KE", [2, 3])
    ]
    with pytest.raises(imports.ImportRefused, match="Create the missing organisations"):
        imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=False)
    assert not Organisation.objects.exists() and not Person.objects.exists()
    outcome = imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=True)
    (org,) = Organisation.objects.all()
    assert org.name == "Kenya Revenue Authority" and org.country == "KE" and org.search_text
    assert set(Person.objects.values_list("organisation_id", flat=True)) == {org.pk}
    assert AuditEntry.objects.get(action="directory.person.import").extra["organisations_created"] == [org.pk]
    assert outcome.organisations_created == [org.pk]


def test_ambiguous_acronym_is_an_error_unless_the_country_settles_it(coordinator, countries):
    OrganisationFactory(name="Customs Service A", acronym="CS", country="FR")
    b = OrganisationFactory(name="Customs Service B", acronym="CS", country="KE")
    rows = [["", "A", "One", "", "CS", "", "", "", "", "", ""], ["", "B", "Two", "", "CS", "KE", "", "", "", "", ""]]
    result = imports.person_import_validate(actor=coordinator, payload=payload_for(xlsx_bytes(EN_HEADERS, rows)))
    assert _errors(result) == [(2, "Organisation")]
    assert result.rows[0].data["organisation_id"] == b.pk


# --- all or nothing ---------------------------------------------------------------------------


def test_a_failure_mid_commit_leaves_nothing(coordinator, existing, monkeypatch):
    rows = [*DUP_ROWS, ["", "Zed", "Zulu", "z@x.org", "New Agency", "FR", "", "", "", "", ""]]
    payload = payload_for(xlsx_bytes(EN_HEADERS, rows))
    people = Person.objects.count()
    orgs = Organisation.objects.count()
    real = imports.audit_record

    def failing(**kwargs):
        if kwargs["action"] == "directory.person.import":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "audit_record", failing)
    with pytest.raises(RuntimeError):
        imports.person_import_commit(actor=coordinator, payload=payload, create_organisations=True)
    assert Person.objects.count() == people
    assert Organisation.objects.count() == orgs
    curie = existing[0]
    curie.refresh_from_db()
    assert curie.position == ""
    assert not AuditEntry.objects.filter(action__startswith="directory.person.import").exists()


# --- access and the template --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["analyst", "trainer", "ncp_fr", "donor", "partner_interpol"], indirect=True)
def test_only_directory_keepers_import(login, persona, countries):
    client = login(persona)
    for name in ("directory:person-import", "directory:person-import-template", "directory:person-import-preview"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("directory:person-import-commit"), {"token": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        imports.person_import_validate(actor=persona, payload={"rows": []})


@pytest.mark.parametrize("persona", ["coordinator", "assistant", "admin_user"], indirect=True)
def test_the_upload_page_and_templates(login, persona, countries):
    client = login(persona)
    page = client.get(reverse("directory:person-import"))
    assert page.status_code == 200
    assert "Courriel" in page.content.decode() and 'enctype="multipart/form-data"' in page.content.decode()
    for query, headers in (("", EN_HEADERS), ("?headers=fr", FR_HEADERS)):
        response = client.get(reverse("directory:person-import-template") + query)
        assert response.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        first = wb.worksheets[0]
        got = [c.value for c in first[1]]
        assert set(headers) <= set(got)
        assert first["A1"].font.bold
        # the template's own header row is understood by the importer
        parsed = imports.parse_table("t.xlsx", "xlsx", [got, ["", "", "Doe"]])
        assert parsed.rows[0]["family_name"] == "Doe"
