"""Books, authors, per-user ratings and the transactional outbox of book events."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, NullIf, Round, Upper


class Author(models.Model):
    name = models.CharField(max_length=200)
    bio = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"], name="author_name_idx"),
            # `name__icontains` compiles to UPPER(name) LIKE UPPER(%s); a trigram index on that expression serves it.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="author_name_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=300)
    published_on = models.DateField()
    authors = models.ManyToManyField(Author, related_name="books")
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    # Mean of the current scores, 2 decimals, NULL while unrated; computed by PostgreSQL on every change
    # of rating_sum/rating_count, so it can be indexed and ordered by.
    rating = models.GeneratedField(
        expression=Round(
            Cast("rating_sum", output_field=models.DecimalField(max_digits=12, decimal_places=2))
            / NullIf(F("rating_count"), 0),
            2,
        ),
        output_field=models.DecimalField(max_digits=3, decimal_places=2),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(F("rating").desc(nulls_last=True), "rating_count", name="book_rating_idx"),
            models.Index(fields=["published_on"], name="book_published_on_idx"),
            models.Index(fields=["title"], name="book_title_idx"),
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="book_title_trgm_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count")) & Q(rating_sum__lte=F("rating_count") * 5),
                name="book_rating_sum_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Rating(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="book_ratings")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "book"], name="rating_one_per_user_and_book"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} rated {self.book_id}: {self.score}"


class OutboxEvent(models.Model):
    """A book event written in the same transaction as the change; `relay_events` publishes it."""

    class Type(models.TextChoices):
        BOOK_CREATED = "book.created"
        BOOK_UPDATED = "book.updated"
        BOOK_DELETED = "book.deleted"

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=Type.choices)
    aggregate_id = models.BigIntegerField()
    payload = models.JSONField()
    occurred_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The X-Request-ID of the write that made the event; the relay publishes it as a message header.
    request_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(published_at__isnull=True), name="outbox_unpublished_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_id} ({self.event_id})"
