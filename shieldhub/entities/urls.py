from django.urls import URLPattern, URLResolver

app_name = "entities"

urlpatterns: list[URLPattern | URLResolver] = []
