from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("people/", TemplateView.as_view(template_name="base.html"), name="person-list"),
]
