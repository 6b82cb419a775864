"""Second-factor secrets are not readable from the database or the admin: the
authenticator key is sealed (AES-GCM), recovery codes are keyed hashes, and the admin
has no device pages."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import PASSWORD, code_for
from visavis.accounts import sealed, second_factor
from visavis.accounts.models import SealedTOTPDevice

migration = import_module("visavis.accounts.migrations.0004_sealed_second_factor")


def stored_key(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def log_in_with(code: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/login/code/", {"code": code})
    return client


def test_the_database_holds_neither_the_key_nor_the_codes(with_second_factor):
    device, codes = with_second_factor
    row = stored_key(device)
    assert sealed.is_sealed(row)
    assert device.bin_key.hex() not in row and len(device.bin_key) == 20
    tokens = set(StaticToken.objects.values_list("token", flat=True))
    assert len(tokens) == 10 and not tokens & set(codes)
    # And both still log in.
    assert SESSION_KEY in log_in_with(code_for(device, steps_ahead=1)).session
    assert SESSION_KEY in log_in_with(codes[0]).session
    assert SESSION_KEY not in log_in_with(codes[0]).session  # used up


def test_a_key_sealed_before_a_change_of_secret_key_opens_with_the_fallback(
    with_second_factor, settings
):
    device, codes = with_second_factor
    key = device.bin_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another secret key, long enough to be a real one 1234567890"
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == key
    assert second_factor.verify(device.user, codes[1]).recovery_code


def test_the_migration_seals_what_was_stored_in_clear(counselor):
    plain = TOTPDevice.objects.create(user=counselor, name=second_factor.APP, confirmed=True)
    key = plain.bin_key
    static = StaticDevice.objects.create(user=counselor, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=static, token="abcdefgh")
    migration.seal_existing(apps, None)
    row = stored_key(plain)
    assert sealed.is_sealed(row) and key.hex() not in row
    assert SealedTOTPDevice.objects.get(pk=plain.pk).bin_key == key
    assert not StaticToken.objects.filter(token="abcdefgh").exists()
    assert second_factor.verify(counselor, "abcd-efgh").recovery_code
    migration.seal_existing(apps, None)  # twice changes nothing
    assert stored_key(plain) == row


def test_the_admin_offers_no_second_factor_pages(with_second_factor):
    operator = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(operator)
    index = client.get("/admin/").content.decode()
    assert "otp_totp" not in index and "otp_static" not in index
    for url in (
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/otp_static/statictoken/",
    ):
        assert client.get(url).status_code == 404, url
    alice = client.get(f"/admin/auth/user/{with_second_factor[0].user_id}/change/")
    assert alice.status_code == 200
    assert with_second_factor[0].bin_key.hex() not in alice.content.decode()
