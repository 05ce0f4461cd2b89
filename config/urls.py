from django.contrib import admin
from django.urls import include, path

from shieldhub.api import api

admin.site.site_header = "Global Shield Hub administration"

urlpatterns = [
    path("", include("shieldhub.core.urls")),
    path("accounts/", include("shieldhub.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("reference/", include("shieldhub.reference.urls")),
    path("directory/", include("shieldhub.directory.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
