from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from visavis.appointments.api import api

urlpatterns = [
    path("", include("visavis.web.urls")),
    path("", include("visavis.ops.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["visavis.web"]), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler404 = "visavis.web.views.not_found"
