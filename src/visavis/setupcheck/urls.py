from django.urls import path

from visavis.setupcheck import views

urlpatterns = [
    path("r/<str:token>/setup", views.setup_page, name="setup-check"),
    path("r/<str:token>/setup/ice", views.ice, name="setup-ice"),
    path("r/<str:token>/setup/result", views.result, name="setup-result"),
]
