"""The gRPC servicer: translates protobuf requests to domain calls and results back."""

from __future__ import annotations

from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc

from services.catalogue.accounts import Accounts
from services.catalogue.converters import (
    folder_to_proto,
    kind_from_proto,
    media_to_proto,
    seller_to_proto,
)
from services.catalogue.folders import Folders
from services.catalogue.media import MediaLibrary
from services.catalogue.search import MediaSearch, SearchRequest
from services.catalogue.upload import Uploads


class CatalogueServicer(catalogue_pb2_grpc.CatalogueServiceServicer):
    def __init__(
        self,
        *,
        accounts: Accounts,
        folders: Folders,
        library: MediaLibrary,
        search: MediaSearch,
        uploads: Uploads,
        public_base_url: str,
    ) -> None:
        self._accounts = accounts
        self._folders = folders
        self._library = library
        self._search = search
        self._uploads = uploads
        self._base_url = public_base_url

    def CreateSeller(self, request, context):
        seller, key = self._accounts.create_seller(request.name, request.quota_bytes)
        return catalogue_pb2.CreateSellerResponse(
            seller=seller_to_proto(seller), api_key=key.api_key, api_key_id=str(key.key_id)
        )

    def SetSellerQuota(self, request, context):
        return seller_to_proto(self._accounts.set_quota(request.seller_id, request.quota_bytes))

    def CreateApiKey(self, request, context):
        key = self._accounts.create_api_key(request.seller_id)
        return catalogue_pb2.CreateApiKeyResponse(api_key=key.api_key, api_key_id=str(key.key_id))

    def RevokeApiKey(self, request, context):
        self._accounts.revoke_api_key(request.api_key_id)
        return catalogue_pb2.RevokeApiKeyResponse()

    def AuthenticateApiKey(self, request, context):
        seller_id, key_id = self._accounts.authenticate(request.api_key)
        return catalogue_pb2.AuthenticateApiKeyResponse(seller_id=str(seller_id), api_key_id=str(key_id))

    def GetCapacity(self, request, context):
        used, total = self._accounts.capacity(request.seller_id)
        return catalogue_pb2.Capacity(used_bytes=used, total_bytes=total)

    def ListFolders(self, request, context):
        kind = kind_from_proto(request.kind, field="kind", required=False)
        folders = self._folders.list(request.seller_id, kind)
        return catalogue_pb2.ListFoldersResponse(folders=[folder_to_proto(folder) for folder in folders])

    def CreateFolder(self, request, context):
        kind = kind_from_proto(request.kind, field="kind", required=True)
        return folder_to_proto(self._folders.create(request.seller_id, request.name, kind))

    def RenameFolder(self, request, context):
        return folder_to_proto(self._folders.rename(request.seller_id, request.folder_id, request.name))

    def DeleteFolder(self, request, context):
        self._folders.delete(request.seller_id, request.folder_id)
        return catalogue_pb2.DeleteFolderResponse()

    def UploadMedia(self, request_iterator, context):
        outcome = self._uploads.upload(request_iterator, is_active=context.is_active)
        return catalogue_pb2.UploadMediaResponse(
            media=media_to_proto(outcome.media, self._base_url), duplicate=outcome.duplicate
        )

    def GetMedia(self, request, context):
        return media_to_proto(self._library.get(request.seller_id, request.media_id), self._base_url)

    def BatchGetMedia(self, request, context):
        items, missing = self._library.batch_get(request.seller_id, list(request.media_ids))
        return catalogue_pb2.BatchGetMediaResponse(
            media=[media_to_proto(media, self._base_url) for media in items], missing_ids=missing
        )

    def SearchMedia(self, request, context):
        search = SearchRequest(
            seller_id=request.seller_id,
            query=request.query,
            kind=kind_from_proto(request.kind, field="kind", required=False),
            folder_id=request.folder_id,
            created_on=request.created_on,
            created_from=request.created_from,
            created_to=request.created_to,
            limit=request.limit,
            cursor=request.cursor,
        )
        items, next_cursor = self._search.search(search)
        return catalogue_pb2.SearchMediaResponse(
            items=[media_to_proto(media, self._base_url) for media in items], next_cursor=next_cursor
        )

    def UpdateMedia(self, request, context):
        media = self._library.update(
            request.seller_id,
            request.media_id,
            name=request.name if request.HasField("name") else None,
            folder_id_text=request.folder_id if request.HasField("folder_id") else None,
        )
        return media_to_proto(media, self._base_url)

    def DeleteMedia(self, request, context):
        freed = self._library.delete(request.seller_id, request.media_id)
        return catalogue_pb2.DeleteMediaResponse(freed_bytes=freed)

    def ResolvePublicMedia(self, request, context):
        return media_to_proto(self._library.resolve_public(request.media_id), self._base_url)

    def FilterReferencedBlobKeys(self, request, context):
        keys = self._library.referenced_blob_keys(list(request.keys))
        return catalogue_pb2.FilterReferencedBlobKeysResponse(referenced_keys=keys)
