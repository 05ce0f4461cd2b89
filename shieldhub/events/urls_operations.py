"""URLs of the events app's operations pages (included by `events/urls.py`, namespace `events`)."""

from django.urls import URLPattern, path

from shieldhub.events import views_operations as views

urlpatterns: list[URLPattern] = [
    path("operations/", views.operation_list, name="operation-list"),
    path("operations/new/", views.operation_create, name="operation-create"),
    path("operations/<int:pk>/", views.operation_detail, name="operation-detail"),
    path("operations/<int:pk>/edit/", views.operation_edit, name="operation-edit"),
    path("operations/<int:pk>/phase/", views.operation_phase, name="operation-phase"),
    path("operations/<int:pk>/results/", views.operation_results, name="operation-results"),
    path("operations/<int:pk>/report.docx", views.operation_report, {"fmt": "docx"}, name="operation-report-docx"),
    path("operations/<int:pk>/report.pdf", views.operation_report, {"fmt": "pdf"}, name="operation-report-pdf"),
]
