import datetime

import factory

from books.models import Author, Book


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    bio = ""


class BookFactory(factory.django.DjangoModelFactory):
    """A book with one new author unless `authors=[...]` is given. Ratings go through `book_rate`."""

    class Meta:
        model = Book
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Book {n}")
    published_on = factory.Sequence(lambda n: datetime.date(2000, 1, 1) + datetime.timedelta(days=n))

    @factory.post_generation
    def authors(obj, create, extracted, **kwargs):
        if create:
            obj.authors.set(extracted if extracted is not None else [AuthorFactory()])
