"""Demo catalogue for `seed_demo`: ~60 authors, ~200 books, scores from a few demo users. Idempotent: what
exists (matched by name, title, user and book) is left as it is, so a second run changes nothing.

Everything goes through the services, so the demo books also produce their `book.created` events.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from books.models import Author, Book, Rating
from books.services import author_create, book_create, book_rate

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - documented demo credentials
DEMO_USERS = ["demo", "reader-anna", "reader-boris", "reader-chen"]
FIRST_NAMES = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Felix", "Greta", "Hugo", "Irina", "Jonas"]
LAST_NAMES = ["Adler", "Berg", "Castell", "Dorn", "Engel", "Falk"]
ADJECTIVES = ["Silent", "Crimson", "Hidden", "Last", "Broken", "Golden", "Northern", "Quiet", "Endless", "Winter"]
NOUNS = ["River", "Garden", "Machine", "Harbor", "Library", "Orchard", "Lantern", "Frontier", "Archive", "Mirror"]
SUFFIXES = ["", " Returns"]


def _users() -> list:
    User = get_user_model()
    users = []
    for username in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _authors() -> list[Author]:
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]  # 60 authors
    existing = {author.name: author for author in Author.objects.filter(name__in=names)}
    return [
        existing.get(name) or author_create(name=name, bio=f"{name} writes novels for the demo catalogue.")
        for name in names
    ]


def _book_specs(authors: list[Author]) -> list[tuple[str, datetime.date, list[int]]]:
    rng = random.Random(2026)
    titles = [f"The {adj} {noun}{suffix}" for suffix in SUFFIXES for adj in ADJECTIVES for noun in NOUNS]  # 200
    specs = []
    for index, title in enumerate(titles):
        main = authors[index % len(authors)]
        co_authors = rng.sample(authors, k=rng.choice([0, 0, 0, 1, 2]))
        published_on = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 75))
        specs.append((title, published_on, sorted({main.pk, *(author.pk for author in co_authors)})))
    return specs


def seed(*, stdout) -> None:
    users = _users()
    authors = _authors()
    existing_titles = set(Book.objects.values_list("title", flat=True))
    created = 0
    for title, published_on, author_ids in _book_specs(authors):
        if title not in existing_titles:
            book_create(title=title, published_on=published_on, author_ids=author_ids)
            created += 1
    titles = [spec[0] for spec in _book_specs(authors)]
    books = list(Book.objects.filter(title__in=titles).order_by("id"))
    rated = set(Rating.objects.filter(user__in=users, book__in=books).values_list("user_id", "book_id"))
    rng = random.Random(7)
    scores = 0
    with transaction.atomic():
        for user in users:
            for book in books:
                # Draw both values every time, so the choices do not depend on what a previous run created.
                wants, score = rng.random() < 0.5, rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 6, 4])[0]
                if wants and (user.pk, book.pk) not in rated:
                    book_rate(book_id=book.pk, user=user, score=score)
                    scores += 1
    stdout.write(
        f"books: {len(authors)} authors, {len(books)} books ({created} new), {scores} new scores; "
        f"users {', '.join(DEMO_USERS)} / {DEMO_PASSWORD}"
    )
