"""URLs of the analysis app's reports pages (included by `analysis/urls.py`, namespace `analysis`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
