from django.urls import path
from django.views.generic import TemplateView

app_name = "reference"

urlpatterns = [
    path("catalogue/", TemplateView.as_view(template_name="base.html"), name="catalogue-list"),
    path("hs/", TemplateView.as_view(template_name="base.html"), name="hs-search"),
]
