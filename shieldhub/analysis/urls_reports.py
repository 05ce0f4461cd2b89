"""URLs of the analysis app's indicators and donor reports pages (included by `analysis/urls.py`,
namespace `analysis`)."""

from django.urls import URLPattern, path

from shieldhub.analysis import views_indicators, views_reports

urlpatterns: list[URLPattern] = [
    path("indicators/", views_indicators.indicator_list, name="indicator-list"),
    path("indicators/new/", views_indicators.indicator_edit, name="indicator-create"),
    path("indicators/<int:pk>/", views_indicators.indicator_detail, name="indicator-detail"),
    path("indicators/<int:pk>/edit/", views_indicators.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/delete/", views_indicators.indicator_delete, name="indicator-delete"),
    path(
        "indicators/<int:pk>/values/<int:value_pk>/delete/",
        views_indicators.indicator_value_delete,
        name="indicator-value-delete",
    ),
    path("reports/", views_reports.report_list, name="report-list"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/progress/", views_reports.report_progress, name="report-progress"),
    path("reports/<int:pk>/generate/", views_reports.report_generate, name="report-generate"),
    path("reports/<int:pk>/sections/new/", views_reports.report_section, name="report-section-create"),
    path("reports/<int:pk>/sections/<int:section_pk>/", views_reports.report_section, name="report-section-edit"),
    path("reports/<int:pk>/download/<str:fmt>/", views_reports.report_download, name="report-download"),
]
