"""The operator's admin: counselor accounts, and nothing that opens a room.

The operator manages accounts but never joins sessions. So appointments are not in
the admin at all (their titles are the counselor's notes about clients, and their links
and PIN hashes are keys to rooms), and the counselor's calendar settings appear without
the feed address. The only trace of appointments is a count per counselor.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from visavis.appointments.models import CalendarSettings

User = get_user_model()


class CalendarSettingsInline(admin.StackedInline):
    model = CalendarSettings
    can_delete = False
    fields = ["time_zone"]
    extra = 0
    max_num = 1
    verbose_name = _("calendar settings")


# Extend whichever user admin is registered, so another app's additions stay.
_Base = type(admin.site._registry[User]) if admin.site.is_registered(User) else UserAdmin


class CounselorAdmin(_Base):
    inlines = [*getattr(_Base, "inlines", []), CalendarSettingsInline]
    list_display = ["username", "get_full_name", "is_active", "is_staff", "last_login",
                    "appointment_count"]

    @admin.display(description=_("appointments"))
    def appointment_count(self, user) -> int:
        return user.appointments.count()


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, CounselorAdmin)
