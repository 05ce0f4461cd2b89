from django.urls import URLPattern, URLResolver

app_name = "shipments"

urlpatterns: list[URLPattern | URLResolver] = []
