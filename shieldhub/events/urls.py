from django.urls import path

from shieldhub.events import urls_invitations, urls_operations, urls_registrations, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("new/", views.event_create, name="event-create"),
    path("calendar/", views.event_calendar, name="event-calendar"),
    path("calendar/feed/", views.calendar_feed_regenerate, name="calendar-feed-regenerate"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("<int:pk>/", views.event_detail, name="event-detail"),
    path("<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("<int:pk>/status/", views.event_status, name="event-status"),
    path("<int:pk>/agenda.pdf", views.agenda_pdf, name="agenda-pdf"),
    path("<int:pk>/event.ics", views.event_ics, name="event-ics"),
    path("<int:pk>/sessions/new/", views.session_create, name="session-create"),
    path("<int:pk>/sessions/people/", views.session_people, name="session-people"),
    path("<int:pk>/sessions/<int:session_pk>/edit/", views.session_edit, name="session-edit"),
    path("<int:pk>/sessions/<int:session_pk>/delete/", views.session_delete, name="session-delete"),
    *urls_invitations.urlpatterns,
    *urls_registrations.urlpatterns,
    *urls_operations.urlpatterns,
]
