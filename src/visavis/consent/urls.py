from django.urls import path

from visavis.consent import views

urlpatterns = [
    path("privacy", views.privacy_notice, name="privacy-notice"),
]
