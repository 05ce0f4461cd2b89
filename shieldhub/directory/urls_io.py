from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("coverage/", TemplateView.as_view(template_name="base.html"), name="coverage"),
]
