from django.urls import path

from shieldhub.entities import views

app_name = "entities"

urlpatterns = [
    path("", views.entity_list, name="entity-list"),
    path("same-as/", views.link_list, name="link-list"),
    path("same-as/<int:pk>/<str:decision>/", views.link_decide, name="link-decide"),
    path("<int:pk>/", views.entity_detail, name="entity-detail"),
    path("<int:pk>/same-as/", views.entity_link_search, name="entity-link-search"),
    path("<int:pk>/same-as/new/", views.entity_link_create, name="entity-link-create"),
]
