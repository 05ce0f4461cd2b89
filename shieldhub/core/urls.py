from django.urls import path

from shieldhub.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/<int:seq>/", views.audit_detail, name="audit-detail"),
]
