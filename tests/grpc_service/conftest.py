from tests.grpc_service.fixtures import (  # noqa: F401
    amqp_proxy_fixture,
    broker_fixture,
    consumed_log_fixture,
    grpc_stub_fixture,
    publisher_fixture,
    run_consumer_fixture,
    run_relay_fixture,
)
