"""The shared runtime: settings, error translation, request ids, health, reflection and channels."""

from __future__ import annotations

import json
import logging
import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from mediacenter.common.v1 import common_pb2
from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc
from pydantic_settings import SettingsConfigDict

from services.runtime.clients import channel_target, open_channel, service_config
from services.runtime.context import REQUEST_ID_HEADER, current_request_id, set_request_id
from services.runtime.errors import ErrorDetails, InvalidArgument, NotFound
from services.runtime.logging import JsonFormatter
from services.runtime.metrics import RPC_HANDLED
from services.runtime.server import build_server
from services.runtime.settings import ServiceSettings, load_settings

SERVICE_NAME = "mediacenter.validation.v1.ValidationService"


class RequiredSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIACENTER_", extra="ignore")
    database_url: str


class ScriptedValidation(validation_pb2_grpc.ValidationServiceServicer):
    """A servicer whose GetPolicy behaviour each test chooses."""

    def __init__(self) -> None:
        self.behaviour = lambda: validation_pb2.Policy(version="v1")
        self.seen_request_ids: list[str] = []

    def GetPolicy(self, request, context):
        self.seen_request_ids.append(current_request_id())
        return self.behaviour()

    def InspectMedia(self, request_iterator, context):
        # Reads the whole stream, as an upload handler does, so a cancelled client breaks the read.
        for _request in request_iterator:
            pass
        return validation_pb2.InspectMediaResponse()


@pytest.fixture
def scripted_server():
    servicer = ScriptedValidation()
    settings = ServiceSettings(grpc_port=0, grpc_workers=4)
    running = build_server(
        settings,
        service_names=[SERVICE_NAME],
        register=lambda server: validation_pb2_grpc.add_ValidationServiceServicer_to_server(servicer, server),
    )
    yield servicer, running
    running.stop(0)


def test_settings_missing_required_value_names_variable(monkeypatch, capsys):
    monkeypatch.delenv("MEDIACENTER_DATABASE_URL", raising=False)

    with pytest.raises(SystemExit) as stopped:
        load_settings(RequiredSettings)

    assert stopped.value.code == 2
    assert "MEDIACENTER_DATABASE_URL" in capsys.readouterr().err


def test_settings_read_from_environment(monkeypatch):
    monkeypatch.setenv("MEDIACENTER_DATABASE_URL", "postgresql://example/db")
    monkeypatch.setenv("MEDIACENTER_GRPC_PORT", "5055")

    settings = load_settings(RequiredSettings)

    assert settings.database_url == "postgresql://example/db"
    assert settings.grpc_port == 5055


def test_server_binds_free_port_and_reports_health(scripted_server):
    _servicer, running = scripted_server

    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        overall = stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
        named = stub.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=5)

    assert running.port > 0
    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    assert named.status == health_pb2.HealthCheckResponse.SERVING


def test_server_offers_reflection(scripted_server):
    _servicer, running = scripted_server

    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5))

    names = {service.name for service in replies[0].list_services_response.service}
    assert SERVICE_NAME in names
    assert "grpc.health.v1.Health" in names


def test_domain_error_becomes_status_with_details(scripted_server):
    servicer, running = scripted_server
    violation = common_pb2.Violation(code="file_too_large", message="The file is too large.")

    def fail():
        raise InvalidArgument(
            "upload_rejected",
            "The file breaks 1 upload rule.",
            field_violations=[("file", "too large")],
            violations=[violation],
            metadata={"folder_id": "f1"},
        )

    servicer.behaviour = fail
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel, pytest.raises(grpc.RpcError) as raised:
        validation_pb2_grpc.ValidationServiceStub(channel).GetPolicy(validation_pb2.GetPolicyRequest(), timeout=5)

    details = ErrorDetails.from_rpc_error(raised.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.message == "The file breaks 1 upload rule."
    assert details.reason == "upload_rejected"
    assert details.metadata == {"folder_id": "f1"}
    assert details.field_violations == [("file", "too large")]
    assert [v.code for v in details.violations] == ["file_too_large"]


def test_unexpected_exception_hides_internals(scripted_server):
    servicer, running = scripted_server

    def crash():
        raise RuntimeError("secret connection string postgresql://user:pw@db")

    servicer.behaviour = crash
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel, pytest.raises(grpc.RpcError) as raised:
        validation_pb2_grpc.ValidationServiceStub(channel).GetPolicy(validation_pb2.GetPolicyRequest(), timeout=5)

    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert "postgresql" not in raised.value.details()
    assert "request id" in raised.value.details()


def test_domain_error_round_trips_through_a_second_hop(scripted_server):
    servicer, running = scripted_server
    servicer.behaviour = lambda: (_ for _ in ()).throw(NotFound("media_not_found", "No media item abc."))
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel, pytest.raises(grpc.RpcError) as raised:
        validation_pb2_grpc.ValidationServiceStub(channel).GetPolicy(validation_pb2.GetPolicyRequest(), timeout=5)

    rebuilt = ErrorDetails.from_rpc_error(raised.value).to_domain_error()

    assert isinstance(rebuilt, NotFound)
    assert rebuilt.reason == "media_not_found"


def test_client_channel_carries_request_id_and_deadline(scripted_server):
    servicer, running = scripted_server
    released = threading.Event()

    def slow():
        released.wait(5)
        return validation_pb2.Policy(version="v1")

    token = set_request_id("req-123")
    try:
        channel = open_channel(f"127.0.0.1:{running.port}", timeout_seconds=0.3)
        stub = validation_pb2_grpc.ValidationServiceStub(channel)
        stub.GetPolicy(validation_pb2.GetPolicyRequest())
        servicer.behaviour = slow
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as raised:
            stub.GetPolicy(validation_pb2.GetPolicyRequest())
        elapsed = time.monotonic() - started
    finally:
        released.set()
        token.var.reset(token)

    assert servicer.seen_request_ids[0] == "req-123"
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert elapsed < 3


def test_server_returns_request_id_in_trailing_metadata(scripted_server):
    _servicer, running = scripted_server

    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = validation_pb2_grpc.ValidationServiceStub(channel)
        _reply, call = stub.GetPolicy.with_call(
            validation_pb2.GetPolicyRequest(), metadata=((REQUEST_ID_HEADER, "abc-1"),), timeout=5
        )

    assert (REQUEST_ID_HEADER, "abc-1") in tuple(call.trailing_metadata())


def test_channel_target_spreads_over_several_addresses():
    assert channel_target("127.0.0.1:5001") == "127.0.0.1:5001"
    assert channel_target("127.0.0.1:5001, 127.0.0.1:5002") == "ipv4:127.0.0.1:5001,127.0.0.1:5002"
    assert channel_target("[::1]:5001,[::1]:5002") == "ipv6:[::1]:5001,[::1]:5002"
    with pytest.raises(ValueError, match="host:port"):
        channel_target("127.0.0.1:5001,nonsense")


def test_service_config_retries_only_idempotent_methods():
    config = json.loads(service_config())
    names = {(entry["service"], entry["method"]) for entry in config["methodConfig"][0]["name"]}

    assert ("mediacenter.catalogue.v1.CatalogueService", "GetMedia") in names
    assert ("mediacenter.catalogue.v1.CatalogueService", "UploadMedia") not in names
    assert ("mediacenter.catalogue.v1.CatalogueService", "DeleteMedia") not in names
    assert config["methodConfig"][0]["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]


def test_json_log_line_carries_request_id_and_extras():
    formatter = JsonFormatter("catalogue")
    record = logging.makeLogRecord({"msg": "uploaded %s", "args": ("m1",), "levelname": "INFO", "media_id": "m1"})
    record.request_id = "r-9"

    entry = json.loads(formatter.format(record))

    assert entry["message"] == "uploaded m1"
    assert entry["request_id"] == "r-9"
    assert entry["media_id"] == "m1"
    assert entry["service"] == "catalogue"


def test_client_cancelling_a_stream_is_not_an_error(scripted_server, caplog):
    _servicer, running = scripted_server
    caplog.set_level(logging.INFO)
    first_sent = threading.Event()
    release = threading.Event()

    def requests():
        yield validation_pb2.InspectMediaRequest(header=validation_pb2.InspectHeader(file_name="a.mp4"))
        first_sent.set()
        release.wait(10)

    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        call = validation_pb2_grpc.ValidationServiceStub(channel).InspectMedia.future(requests(), timeout=10)
        first_sent.wait(10)
        time.sleep(0.3)
        call.cancel()
        release.set()
        time.sleep(0.5)

    method = "/mediacenter.validation.v1.ValidationService/InspectMedia"
    assert call.cancelled()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("ended early" in record.getMessage() for record in caplog.records)
    assert RPC_HANDLED.labels(method=method, code="CANCELLED")._value.get() >= 1
