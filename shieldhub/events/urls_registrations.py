"""URLs of the events app's registrations pages (included by `events/urls.py`, namespace `events`)."""

from django.urls import URLPattern, path

from shieldhub.events import views_registrations as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/registrations/", views.registration_list, name="registration-list"),
    path("<int:pk>/registrations/new/", views.registration_create, name="registration-create"),
    path("<int:pk>/participants.xlsx", views.participants_xlsx, name="participants-xlsx"),
    path("<int:pk>/participants.pdf", views.participants_pdf, name="participants-pdf"),
    path("<int:pk>/badges.pdf", views.badges_pdf, name="badges-pdf"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/certificates/", views.certificate_list, name="certificate-list"),
    path("<int:pk>/certificates.pdf", views.certificates_pdf, name="certificates-pdf"),
    path("<int:pk>/evaluation/", views.evaluation_form, name="evaluation-form"),
    path("<int:pk>/evaluation/summary/", views.evaluation_summary, name="evaluation-summary"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration-detail"),
    *[
        path(
            f"registrations/<int:pk>/{action}/",
            views.registration_decide,
            {"action": action},
            name=f"registration-{action}",
        )
        for action in views.ACTIONS
    ],
    path("registrations/<int:pk>/attendance/", views.attendance_toggle, name="attendance-toggle"),
    path("registrations/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("checkin/<str:code>/", views.checkin_code, name="checkin-code"),
    path("evaluate/<str:code>/", views.evaluation_by_code, name="evaluation-by-code"),
    path("training-records/", views.training_record_list, name="training-record-list"),
    path("training-records/new/", views.training_record_create, name="training-record-create"),
]
