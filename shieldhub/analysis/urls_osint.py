"""URLs of the analysis app's osint pages (included by `analysis/urls.py`, namespace `analysis`)."""

from django.urls import URLPattern, path

from shieldhub.analysis import views_osint as views

urlpatterns: list[URLPattern] = [
    path("open-sources/", views.item_list, name="osint-item-list"),
    path("open-sources/new/", views.item_create, name="osint-item-create"),
    path("open-sources/upload/", views.item_upload, name="osint-item-upload"),
    path("open-sources/<int:pk>/", views.item_detail, name="osint-item-detail"),
    path("open-sources/<int:pk>/triage/", views.item_triage, name="osint-item-triage"),
    path("open-sources/<int:pk>/seizure/", views.item_seizure, name="osint-item-seizure"),
    path("open-sources/<int:pk>/message/", views.item_message, name="osint-item-message"),
    path("open-sources/feeds/", views.source_list, name="osint-source-list"),
    path("open-sources/feeds/new/", views.source_form, name="osint-source-create"),
    path("open-sources/feeds/<int:pk>/", views.source_form, name="osint-source-edit"),
    path("open-sources/feeds/<int:pk>/fetch/", views.source_fetch, name="osint-source-fetch"),
]
