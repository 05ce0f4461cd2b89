from django.urls import URLPattern, URLResolver, path

from shieldhub.screening import views

app_name = "screening"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("runs/<int:pk>/export/", views.run_export, name="run-export"),
    path("runs/<int:pk>/share/", views.run_share, name="run-share"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("watch-lists/", views.watchlist, name="watchlist"),
    path("watch-lists/countries/<int:pk>/remove/", views.watch_country_remove, name="watch-country-remove"),
    path("watch-lists/entities/<int:pk>/remove/", views.watch_entity_remove, name="watch-entity-remove"),
]
