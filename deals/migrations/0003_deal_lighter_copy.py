from django.db import migrations

TABLE = "deals_deal"


class Migration(migrations.Migration):
    """Make COPY into deals_deal cost about what `\\copy` into a plain table costs.

    - No primary-key index: nothing ever looks a deal up by `id` (rows are read and deleted in bulk per dataset),
      and maintaining a btree over every copied row cost as much as a third of the whole COPY. `id` stays the
      model's primary key for Django and stays unique by construction (an identity column).
    - The identity sequence hands out ids 10,000 at a time per session instead of one: nextval() no longer
      takes the sequence's lock and writes WAL for every row.
    - Statistics on `dataset_id` from a small sample: the upload runs ANALYZE on that column alone, in its
      transaction, only so the planner knows the new dataset has many rows (3,000 sampled rows suffice for that).
    """

    dependencies = [("deals", "0002_deal_dataset_default")]

    operations = [
        migrations.RunSQL(
            [
                f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey",
                f"ALTER TABLE {TABLE} ALTER COLUMN id SET CACHE 10000",
                f"ALTER TABLE {TABLE} ALTER COLUMN dataset_id SET STATISTICS 10",
            ],
            [
                f"ALTER TABLE {TABLE} ALTER COLUMN dataset_id SET STATISTICS -1",
                f"ALTER TABLE {TABLE} ALTER COLUMN id SET CACHE 1",
                f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)",
            ],
        ),
    ]
