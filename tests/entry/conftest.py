from tests.counselors import (  # noqa: F401 (fixtures)
    _fast_password_hashing,
    counselor,
)
