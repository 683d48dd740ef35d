"""An in-process catalogue that implements only FilterReferencedBlobKeys, for the sweep tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent import futures

import grpc
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc


class FakeCatalogue(catalogue_pb2_grpc.CatalogueServiceServicer):
    """Returns which of the requested keys are in ``referenced``, after calling ``before_answer`` with them."""

    def __init__(self) -> None:
        self.referenced: set[str] = set()
        self.calls: list[list[str]] = []
        self.before_answer: Callable[[Sequence[str]], None] | None = None
        self._lock = threading.Lock()

    def FilterReferencedBlobKeys(self, request, context):
        keys = list(request.keys)
        self.calls.append(keys)
        if self.before_answer is not None:
            self.before_answer(keys)
        with self._lock:
            referenced = [key for key in keys if key in self.referenced]
        return catalogue_pb2.FilterReferencedBlobKeysResponse(referenced_keys=referenced)

    def commit_record(self, key: str) -> None:
        with self._lock:
            self.referenced.add(key)


class RunningCatalogue:
    def __init__(self, catalogue: FakeCatalogue) -> None:
        self.catalogue = catalogue
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(catalogue, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.stop(grace=1).wait()
