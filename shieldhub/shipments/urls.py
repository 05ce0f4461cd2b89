from django.urls import path

from shieldhub.shipments import views, views_documents

app_name = "shipments"

urlpatterns = [
    path("", views.shipment_list, name="shipment-list"),
    path("new/", views.shipment_create, name="shipment-create"),
    path("response-rates/", views.response_rates, name="response-rates"),
    path("<int:pk>/", views.shipment_detail, name="shipment-detail"),
    path("<int:pk>/edit/", views.shipment_edit, name="shipment-edit"),
    path("<int:pk>/notify/", views.shipment_notify, name="shipment-notify"),
    path("<int:pk>/answer/", views.verification_answer, name="verification-answer"),
    path("<int:pk>/outcome/", views.shipment_outcome, name="shipment-outcome"),
    path("<int:pk>/withdraw/", views.shipment_withdraw, name="shipment-withdraw"),
    path("<int:pk>/delete/", views.shipment_delete, name="shipment-delete"),
    *views_documents.urlpatterns,
]
