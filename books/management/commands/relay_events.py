"""`python manage.py relay_events`: publish the books outbox to RabbitMQ until SIGTERM/SIGINT."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from books.relay import Relay
from config.metrics_server import serve_metrics


class Command(BaseCommand):
    help = "Publish unsent book events (the outbox) to the books.events exchange; SIGTERM stops it cleanly."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--amqp-url", default=None, help="broker URL (default: settings.AMQP_URL)")
        parser.add_argument(
            "--exchange", default=None, help="topic exchange to publish to (default: settings.BOOK_EVENTS_EXCHANGE)"
        )
        parser.add_argument("--batch-size", type=int, default=settings.RELAY_BATCH_SIZE)
        parser.add_argument("--sweep-seconds", type=float, default=settings.RELAY_SWEEP_SECONDS)

    def handle(self, *args, **options) -> None:
        # This process only marks rows published and purges old ones: neither needs to wait for the disk. A mark
        # lost in a PostgreSQL crash makes the relay send its rows again, and consumers drop redeliveries by
        # event_id (at least once, as documented); it saves a flush per batch on the path of every event.
        database = settings.DATABASES["default"].setdefault("OPTIONS", {})
        database["options"] = f"{database.get('options', '')} -c synchronous_commit=off".strip()
        relay = Relay(
            amqp_url=options["amqp_url"],
            exchange=options["exchange"],
            batch_size=options["batch_size"],
            sweep_seconds=options["sweep_seconds"],
        )

        def stop(signum: int, frame) -> None:
            # Finish the batch in flight (its rows are committed as published), then leave the loop.
            relay.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        serve_metrics(settings.RELAY_METRICS_PORT, process="relay")
        relay.run()
        self.stdout.write(f"relay stopped, {relay.published_total} events published")
