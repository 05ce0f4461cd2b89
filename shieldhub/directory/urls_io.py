from django.urls import path

from shieldhub.directory import views_io

# Import and export of people, and the NCP coverage page.
urlpatterns = [
    path("people/import/", views_io.person_import, name="person-import"),
    path("people/import/template/", views_io.person_import_template, name="person-import-template"),
    path("people/import/preview/", views_io.person_import_preview, name="person-import-preview"),
    path("people/import/commit/", views_io.person_import_commit, name="person-import-commit"),
    path("people/export/", views_io.person_export, name="person-export"),
    path("coverage/", views_io.coverage, name="coverage"),
]
