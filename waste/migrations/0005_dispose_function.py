"""The one-statement disposal as a PL/pgSQL function (waste.services.disposal_statement), so that its plan is kept.

The body comes from `function_sql()`; tests/waste/test_disposal_statement.py holds the installed body equal to it,
so a change of the statement needs a migration that installs it again.
"""

from django.conf import settings
from django.db import migrations

from waste.services.disposal_statement import FUNCTION, FUNCTION_ARGUMENTS, function_sql


def create_function(apps, schema_editor) -> None:
    schema_editor.execute(function_sql())


def drop_function(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}({FUNCTION_ARGUMENTS})")


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("waste", "0004_distance_parent_index"),
    ]

    operations = [migrations.RunPython(create_function, drop_function)]
