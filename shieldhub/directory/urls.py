from django.urls import include, path

app_name = "directory"

# Pages are split by sub-domain: contacts (people, organisations, nominations, communities,
# verification) in urls_contacts; import, export and the coverage page in urls_io.
urlpatterns = [
    path("", include("shieldhub.directory.urls_contacts")),
    path("", include("shieldhub.directory.urls_io")),
]
