from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from visavis.accounts import views as accounts_views
from visavis.appointments.api import api

urlpatterns = [
    path("", include("visavis.web.urls")),
    path("", include("visavis.ops.urls")),
    path("", include("visavis.consent.urls")),
    path("", include("visavis.setupcheck.urls")),
    # Our own login (two steps, throttled) and account pages; not django.contrib.auth.urls.
    path("accounts/", include("visavis.accounts.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["visavis.web"]), name="javascript-catalog"),
    path("admin/login/", accounts_views.admin_login),  # the admin logs in through ours
    path("admin/", admin.site.urls),
]

handler404 = "visavis.web.views.shared.not_found"
