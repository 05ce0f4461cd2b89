from django.urls import path
from django.views.generic import TemplateView

app_name = "directory"

urlpatterns = [
    path("people/", TemplateView.as_view(template_name="base.html"), name="person-list"),
    path("coverage/", TemplateView.as_view(template_name="base.html"), name="coverage"),
]
