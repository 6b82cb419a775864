import pytest

from tests.counselors import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fast_password_hashing,
    browser,
    counselor,
    guest,
    other_counselor,
)


@pytest.fixture
def mail_enabled(settings):
    settings.VISAVIS = {**settings.VISAVIS, "EMAIL_ENABLED": True}
