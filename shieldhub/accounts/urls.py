from django.urls import path

from shieldhub.accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.set_language, name="set-language"),
    path("profile/", views.profile, name="profile"),
]
