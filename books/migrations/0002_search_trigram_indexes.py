# Trigram GIN indexes for `?search=` (icontains compiles to UPPER(col) LIKE UPPER(%s) on PostgreSQL).
# The SQL is written by hand: Django 5.2 renders OpClass(Upper(...)) inside a GinIndex with an extra pair of
# parentheses, which PostgreSQL rejects; the state operations keep the model's Meta.indexes in sync.

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('books', '0001_initial'),
    ]

    operations = [
        TrigramExtension(),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE INDEX "author_name_trgm_idx" ON "books_author" USING gin ((UPPER("name")) gin_trgm_ops)',
                    'DROP INDEX "author_name_trgm_idx"',
                ),
                migrations.RunSQL(
                    'CREATE INDEX "book_title_trgm_idx" ON "books_book" USING gin ((UPPER("title")) gin_trgm_ops)',
                    'DROP INDEX "book_title_trgm_idx"',
                ),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name='author',
                    index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name'), name='gin_trgm_ops'), name='author_name_trgm_idx'),
                ),
                migrations.AddIndex(
                    model_name='book',
                    index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('title'), name='gin_trgm_ops'), name='book_title_trgm_idx'),
                ),
            ],
        ),
    ]
