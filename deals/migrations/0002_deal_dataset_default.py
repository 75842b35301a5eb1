from django.db import migrations

TABLE = "deals_deal"


class Migration(migrations.Migration):
    """COPY streams only the file's columns; the dataset comes from `SET LOCAL deals.dataset_id`.

    current_setting() without a default raises when the setting is missing, so a row can never be
    written to a wrong or empty dataset by accident.
    """

    dependencies = [("deals", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} ALTER COLUMN dataset_id SET DEFAULT current_setting('deals.dataset_id')::bigint",
            f"ALTER TABLE {TABLE} ALTER COLUMN dataset_id DROP DEFAULT",
        ),
    ]
