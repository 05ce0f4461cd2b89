"""URLs of the events app's registrations pages (included by `events/urls.py`, namespace `events`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
