"""Check that PostgreSQL answers and create the configured database if it is missing (used by `make run`)."""

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


class Command(BaseCommand):
    help = "Fail with a clear message when PostgreSQL is unreachable; create the database if missing."

    def handle(self, *args, **options) -> None:
        db = connections["default"].settings_dict
        params = {"user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"], "port": db["PORT"]}
        params = {key: str(value) for key, value in params.items() if value}
        try:
            server = psycopg.connect(dbname="postgres", connect_timeout=3, autocommit=True, **params)
        except psycopg.OperationalError as exc:
            where = f"{db['HOST'] or 'local socket'}:{db['PORT'] or 5432}"
            raise CommandError(
                f"PostgreSQL is not reachable at {where} ({str(exc).strip().splitlines()[0]}).\n"
                f"Start it with:\n    {START_POSTGRES}\nor set DATABASE_URL to a running server."
            ) from None
        with server:
            exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
            if exists:
                self.stdout.write(f"database {db['NAME']} exists")
                return
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            self.stdout.write(self.style.SUCCESS(f"created database {db['NAME']}"))
