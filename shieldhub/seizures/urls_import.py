from django.urls import path

from shieldhub.seizures import views_import

# Bulk import of seizure records (included by seizures/urls.py under /seizures/import/).
urlpatterns = [
    path("", views_import.import_upload, name="import"),
    path("template/", views_import.import_template, name="import-template"),
    path("<int:pk>/", views_import.import_report, name="import-report"),
    path("<int:pk>/commit/", views_import.import_commit, name="import-commit"),
    path("<int:pk>/progress/", views_import.import_progress, name="import-progress"),
    path("<int:pk>/submit/", views_import.import_submit, name="import-submit"),
    path("<int:pk>/submit/recipients/", views_import.import_recipients_preview, name="import-recipients-preview"),
]
