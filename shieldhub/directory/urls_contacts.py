from django.urls import path

from shieldhub.directory import views

# Contacts: people, organisations, NCP nominations, communities and verification.
urlpatterns = [
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/to-verify/", views.person_to_verify, name="to-verify"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/merge/", views.person_merge, name="person-merge"),
    path("people/<int:pk>/send-verification/", views.person_verification_send, name="person-verification-send"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("nominations/", views.nomination_list, name="nomination-list"),
    path("nominations/new/", views.nomination_create, name="nomination-create"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination-edit"),
    path("communities/", views.community_list, name="community-list"),
    path("communities/new/", views.community_create, name="community-create"),
    path("communities/<int:pk>/", views.community_detail, name="community-detail"),
    path("communities/<int:pk>/edit/", views.community_edit, name="community-edit"),
    path("communities/<int:pk>/members/search/", views.community_member_search, name="community-member-search"),
    path("communities/<int:pk>/members/add/", views.community_member_add, name="community-member-add"),
    path(
        "communities/<int:pk>/members/<int:membership_pk>/remove/",
        views.community_member_remove,
        name="community-member-remove",
    ),
    path(
        "communities/<int:pk>/members/<int:membership_pk>/role/",
        views.community_member_role,
        name="community-member-role",
    ),
    # Public: reached from the verification email, no account needed (the token is the credential).
    path("verify/<str:token>/", views.verify, name="verify"),
]
