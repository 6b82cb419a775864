"""The operator's admin manages counselor accounts and never shows a key to a room."""

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from visavis.appointments import services
from visavis.appointments.models import Appointment, CalendarSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("operator", password="x-Long-Password-1")


@pytest.fixture
def operator_browser(operator):
    client = Client()
    client.force_login(operator)
    return client


def test_operator_manages_counselor_accounts(operator_browser, counselor):
    listing = operator_browser.get("/admin/auth/user/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    page = operator_browser.get(f"/admin/auth/user/{counselor.pk}/change/")
    assert page.status_code == 200
    assert "Active" in page.content.decode()


def test_no_room_link_pin_or_title_anywhere_in_the_admin(operator_browser, counselor):
    appointment = services.create_appointment(
        owner=counselor, title="Family Meier", start=timezone.now(),
        duration_minutes=50, pin="482915",
    )
    services.enable_feed(user=counselor)
    feed_token = CalendarSettings.objects.get(user=counselor).feed_token
    assert not admin.site.is_registered(Appointment)
    pages = [
        "/admin/", "/admin/auth/user/", f"/admin/auth/user/{counselor.pk}/change/",
    ]
    for path in pages:
        body = operator_browser.get(path).content.decode()
        assert appointment.room_token not in body
        assert appointment.pin_hash not in body and "482915" not in body
        assert "Family Meier" not in body
        assert feed_token not in body
    assert operator_browser.get("/admin/appointments/appointment/").status_code == 404
    listing = operator_browser.get("/admin/auth/user/").content.decode()
    assert "appointments" in listing.lower()
