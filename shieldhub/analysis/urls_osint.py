"""URLs of the analysis app's osint pages (included by `analysis/urls.py`, namespace `analysis`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
