import pytest

from tests.counselors import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fast_password_hashing,
    browser,
    counselor,
    guest,
)


@pytest.fixture
def notice_dir(settings, tmp_path):
    """The operator's own notices, in a directory of this test."""
    settings.CONFIG = settings.CONFIG.model_copy(update={"privacy_notice_dir": tmp_path})
    return tmp_path
