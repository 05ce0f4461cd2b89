"""Document files of shipments: seen by whoever sees the shipment (exporting side, the importing
country's NCPs once notified, the secretariat), added by the exporting side; everyone else gets a
404 on the file and the thumbnail alike."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from shieldhub.core.models import AuditEntry
from shieldhub.shipments import documents, services
from shieldhub.shipments.models import ShipmentDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    settings.SHIPMENT_DOCUMENTS_DIR = tmp_path / "shipment-documents"
    return settings.SHIPMENT_DOCUMENTS_DIR


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (300, 400), (240, 240, 240))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (1.0, 17.0, 0.0), 3: "E", 4: (36.0, 49.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def notified(ncp_fr, make):
    return make(ncp_fr, notify=True)


@pytest.fixture
def invoice(ncp_fr, notified):
    return documents.document_add(
        actor=ncp_fr,
        shipment=notified,
        file=upload("invoice 117.pdf", PDF),
        document_type="invoice",
        caption="Pro forma",
    )


@pytest.fixture
def scan(ncp_fr, notified):
    return documents.document_add(
        actor=ncp_fr, shipment=notified, file=upload("certificate.jpg", jpeg_with_gps()), document_type="end_user_cert"
    )


def _urls(shipment, document):
    return [
        reverse("shipments:document-download", args=[shipment.pk, document.pk]),
        reverse("shipments:document-thumbnail", args=[shipment.pk, document.pk]),
        f"/api/v1/shipments/{shipment.pk}/documents/{document.pk}/content",
        f"/api/v1/shipments/{shipment.pk}/documents/{document.pk}/thumbnail",
    ]


@pytest.mark.parametrize("persona", ["ncp_fr", "ncp_ke", "coordinator", "analyst"], indirect=True)
def test_exporting_side_importing_ncps_and_the_secretariat_get_file_and_thumbnail(login, persona, notified, scan):
    client = login(persona)
    for url in _urls(notified, scan):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    page = client.get(reverse("shipments:shipment-detail", args=[notified.pk])).content.decode()
    assert "certificate.jpg" in page and "End-user certificate" in page


def test_others_get_404_on_file_and_thumbnail(
    login, ncp_de, partner_interpol, donor, outsider, notified, scan, invoice
):
    for user in (ncp_de, partner_interpol, donor, outsider):
        client = login(user)
        for document in (scan, invoice):
            for url in _urls(notified, document):
                expected = (401, 404) if url.startswith("/api/") else (404,)  # no role: no API token
                assert client.get(url).status_code in expected, (user.email, url)
        assert client.get(f"/api/v1/shipments/{notified.pk}/documents").status_code in (401, 404)
    assert not AuditEntry.objects.filter(action="shipments.document_download").exists()


def test_a_draft_document_is_not_seen_by_the_importing_country(login, ncp_fr, ncp_ke, make):
    draft = make(ncp_fr)
    document = documents.document_add(actor=ncp_fr, shipment=draft, file=upload("sds.pdf", PDF), document_type="sds")
    for url in _urls(draft, document):
        assert login(ncp_ke).get(url).status_code == 404
    services.shipment_notify(actor=ncp_fr, shipment=draft)
    assert login(ncp_ke).get(_urls(draft, document)[0]).status_code == 200


def test_the_photo_of_a_document_loses_its_gps(scan):
    data = (documents.STORE.root() / scan.storage_name).read_bytes()
    assert b"Canon" not in data and not Image.open(io.BytesIO(data)).getexif()
    assert scan.thumbnail_name and (scan.width, scan.height) == (300, 400)


def test_only_the_exporting_side_adds_and_removes(ncp_fr, ncp_ke, analyst, notified, invoice):
    with pytest.raises(PermissionDenied):
        documents.document_add(actor=ncp_ke, shipment=notified, file=upload("a.pdf", PDF), document_type="other")
    with pytest.raises(PermissionDenied):
        documents.document_delete(actor=ncp_ke, document=invoice)
    licence = documents.document_add(
        actor=analyst, shipment=notified, file=upload("l.pdf", PDF), document_type="licence"
    )
    documents.document_delete(actor=ncp_fr, document=licence)
    assert list(ShipmentDocument.objects.values_list("pk", flat=True)) == [invoice.pk]
    assert AuditEntry.objects.filter(action="shipments.document_delete").count() == 1
    assert AuditEntry.objects.filter(action="shipments.document_add").count() == 2


@pytest.mark.parametrize(
    ("name", "data", "what"), [("invoice.pdf", EXE, "a Windows program"), ("sds.pdf", HTML, "a web page")]
)
def test_renamed_programs_and_web_pages_are_refused(ncp_fr, notified, name, data, what):
    with pytest.raises(ValidationError) as exc:
        documents.document_add(actor=ncp_fr, shipment=notified, file=upload(name, data), document_type="invoice")
    assert what in exc.value.message_dict["file"][0]


def test_the_size_limit_is_enforced(settings, ncp_fr, notified):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        documents.document_add(
            actor=ncp_fr, shipment=notified, file=upload("big.pdf", PDF + b"0" * 1024 * 1024), document_type="invoice"
        )
    assert "larger than 1 MB" in exc.value.message_dict["file"][0]


def test_the_page_upload_with_and_without_javascript(login, ncp_fr, notified):
    client = login(ncp_fr)
    url = reverse("shipments:document-upload", args=[notified.pk])
    response = client.post(url, {"file": upload("x.pdf", EXE), "document_type": "licence", "caption": "Export licence"})
    assert response.status_code == 422
    body = response.content.decode()
    assert (
        "a Windows program" in body and 'value="Export licence"' in body and '<option value="licence" selected>' in body
    )
    response = client.post(
        url, {"file": upload("licence.pdf", PDF), "document_type": "licence"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 201 and "licence.pdf" in response.content.decode()
    document = ShipmentDocument.objects.get()
    assert document.document_type == "licence"
    response = client.post(reverse("shipments:document-delete", args=[notified.pk, document.pk]))
    assert response.status_code == 302 and not ShipmentDocument.objects.exists()


def test_the_api(login, ncp_fr, ncp_ke, notified):
    base = f"/api/v1/shipments/{notified.pk}/documents"
    response = login(ncp_fr).post(base, {"file": upload("sds.pdf", PDF), "document_type": "sds"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["document_type"], data["kind"], data["type"]) == ("sds", "document", "application/pdf")
    client = login(ncp_ke)
    assert [d["name"] for d in client.get(base).json()] == ["sds.pdf"]
    assert b"".join(client.get(data["content_url"]).streaming_content) == PDF
    assert client.post(base, {"file": upload("a.pdf", PDF)}).status_code == 403


def test_page_and_api_query_counts_do_not_grow(login, ncp_fr, notified, invoice, django_assert_max_num_queries):
    client = login(ncp_fr)
    page = reverse("shipments:shipment-detail", args=[notified.pk])
    api = f"/api/v1/shipments/{notified.pk}/documents"
    counts = {}
    for url in (page, api):
        client.get(url)
        with django_assert_max_num_queries(80) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    for i in range(4):
        documents.document_add(
            actor=ncp_fr, shipment=notified, file=upload(f"{i}.pdf", PDF + bytes([i])), document_type="other"
        )
    for url in (page, api):
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
