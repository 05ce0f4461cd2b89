"""URLs of the analysis app's dashboards pages (included by `analysis/urls.py`, namespace `analysis`)."""

from django.urls import URLPattern, path

from shieldhub.analysis import views_dashboards, views_profiles

urlpatterns: list[URLPattern] = [
    path("dashboards/", views_dashboards.dashboard_page, name="dashboards"),
    path("dashboards/<slug:name>/", views_dashboards.dashboard_page, name="dashboard"),
    path(
        "dashboards/<slug:name>/<slug:key>.<str:fmt>",
        views_dashboards.panel_export,
        name="dashboard-export",
    ),
    path("countries/", views_profiles.country_index, name="countries"),
    path("countries/<str:code>/", views_profiles.country_profile, name="country"),
    path("countries/<str:code>/fact-sheet.pdf", views_profiles.country_pdf, name="country-pdf"),
]
