from django.urls import path

from shieldhub.reference import views

app_name = "reference"

urlpatterns = [
    path("catalogue/", views.catalogue_list, name="catalogue-list"),
    path("catalogue/new/", views.catalogue_create, name="catalogue-create"),
    path("catalogue/<slug:code>/", views.catalogue_detail, name="catalogue-detail"),
    path("catalogue/<slug:code>/edit/", views.catalogue_edit, name="catalogue-edit"),
    path("hs/", views.hs_search, name="hs-search"),
    path("hs/<str:code>/", views.hs_detail, name="hs-detail"),
    path("countries/", views.country_list, name="country-list"),
]
