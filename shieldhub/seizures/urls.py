from django.urls import include, path

from shieldhub.seizures import views, views_attachments

app_name = "seizures"

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("export/", views.incident_export, name="incident-export"),
    path("import/", include("shieldhub.seizures.urls_import")),
    path("new/", views.incident_create, name="incident-create"),
    path("statistics/", views.statistics, name="statistics"),
    path("data-quality/", views.quality_by_country, name="quality"),
    path("<int:pk>/", views.incident_detail, name="incident-detail"),
    path("<int:pk>/edit/", views.incident_edit, name="incident-edit"),
    path("<int:pk>/correct/", views.incident_correct, name="incident-correct"),
    path("<int:pk>/submit/", views.incident_submit, name="incident-submit"),
    path("<int:pk>/submit/preview/", views.recipients_preview, name="recipients-preview"),
    path("<int:pk>/validate/", views.incident_validate, name="incident-validate"),
    path("<int:pk>/return/", views.incident_return, name="incident-return"),
    path("<int:pk>/comment/", views.incident_comment, name="incident-comment"),
    path("<int:pk>/withdraw/", views.incident_withdraw, name="incident-withdraw"),
    path("<int:pk>/delete/", views.incident_delete, name="incident-delete"),
    path("<int:pk>/versions/<int:number>/", views.incident_version, name="incident-version"),
    *views_attachments.urlpatterns,
]
