from django.urls import path

from shieldhub.analysis import urls_dashboards, urls_osint, urls_reports, views

app_name = "analysis"

urlpatterns = [
    path("", views.analysis_home, name="home"),
    *urls_dashboards.urlpatterns,
    *urls_osint.urlpatterns,
    *urls_reports.urlpatterns,
]
