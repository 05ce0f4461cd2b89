from django.urls import path

from shieldhub.events import urls_invitations, urls_operations, urls_registrations, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("<int:pk>/", views.event_detail, name="event-detail"),
    *urls_invitations.urlpatterns,
    *urls_registrations.urlpatterns,
    *urls_operations.urlpatterns,
]
