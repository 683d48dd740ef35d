"""The validation service: judges uploaded files against the upload policy and makes their previews."""
