"""The operator's admin shows no second-factor secrets: django-otp's device pages (with
the authenticator key, its QR code and the recovery codes) are not offered at all. The
operator removes a lost second factor with ``visavis resetsecondfactor``."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice, StaticToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
