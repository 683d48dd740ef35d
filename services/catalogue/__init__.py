"""The catalogue service: sellers, API keys, folders, media records, capacity and the upload flow."""
