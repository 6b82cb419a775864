"""The migration that brings display names keeps what clients saw before: a full name
the operator had set becomes the shown name; without one, the neutral default."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("accounts", "0002_login_failure")]
AFTER = [("accounts", "0003_profile")]


def test_full_names_become_display_names():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    User.objects.create(username="named", first_name="Jane", last_name="Doe")
    User.objects.create(username="plain")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Profile = new.get_model("accounts", "Profile")
    assert {p.user.username: p.display_name for p in Profile.objects.all()} == {
        "named": "Jane Doe"
    }
