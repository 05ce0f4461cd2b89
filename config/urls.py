from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from shieldhub.api import api
from shieldhub.core.views import not_found

admin.site.site_header = "Global Shield Hub administration"
# The admin signs people in through allauth (password + second factor), never its own form.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("shieldhub.core.urls")),
    path("accounts/", include("shieldhub.accounts.urls")),
    # Addresses are proven by the invitation; changing one is the secretariat's job (accounts pages),
    # so allauth's self-service email management is switched off.
    path("accounts/email/", not_found),
    path("accounts/", include("allauth.urls")),
    path("reference/", include("shieldhub.reference.urls")),
    path("directory/", include("shieldhub.directory.urls")),
    path("exchange/", include("shieldhub.exchange.urls")),
    path("seizures/", include("shieldhub.seizures.urls")),
    path("shipments/", include("shieldhub.shipments.urls")),
    path("entities/", include("shieldhub.entities.urls")),
    path("screening/", include("shieldhub.screening.urls")),
    path("events/", include("shieldhub.events.urls")),
    path("analysis/", include("shieldhub.analysis.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
