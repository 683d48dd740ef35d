"""HTTP gateway: the REST API, authentication, media delivery and the web page, in front of the gRPC services."""
