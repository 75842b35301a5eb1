from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from books.services import user_ratings_withdraw


@receiver(pre_delete, sender=get_user_model(), dispatch_uid="books_withdraw_ratings_of_deleted_user")
def withdraw_ratings_of_deleted_user(sender, instance, **kwargs) -> None:
    # A user can be deleted from the admin or a shell, never through a books service; this is the one hook.
    user_ratings_withdraw(user=instance)
