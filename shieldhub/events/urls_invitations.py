"""URLs of the events app's invitations pages (included by `events/urls.py`, namespace `events`)."""

from django.urls import URLPattern, path

from shieldhub.events import views_invitations as views

urlpatterns: list[URLPattern] = [
    path("letter-templates/", views.letter_template_list, name="letter-template-list"),
    path("letter-templates/<int:pk>/download/", views.letter_template_download, name="letter-template-download"),
    path("letter-templates/<int:pk>/default/", views.letter_template_default, name="letter-template-default"),
    path("letter-templates/<int:pk>/delete/", views.letter_template_delete, name="letter-template-delete"),
    path("<int:pk>/invitations/", views.invitation_list, name="invitation-list"),
    path("<int:pk>/invitations/select/", views.invitation_select, name="invitation-select"),
    path("<int:pk>/invitations/send-all/", views.invitation_send_all, name="invitation-send-all"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation-detail"),
    path("invitations/<int:pk>/letter.<str:fmt>", views.invitation_letter, name="invitation-letter"),
    path("invitations/<int:pk>/send/", views.invitation_send, name="invitation-send"),
    path("invitations/<int:pk>/remind/", views.invitation_remind, name="invitation-remind"),
    path("invitations/<int:pk>/nominate/", views.invitation_nominate, name="invitation-nominate"),
    path("nominate/<str:token>/", views.nominate_token, name="nominate-token"),
]
