-- Sellers, API keys, folders, media records and upload results.
-- Runs with search_path "catalogue, public", inside the migration transaction.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE catalogue.sellers (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    quota_bytes bigint NOT NULL CHECK (quota_bytes >= 1),
    -- Sum of byte_size over the seller's live media, kept in the same transactions that change media.
    used_bytes bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (used_bytes <= quota_bytes)
);

CREATE TABLE catalogue.api_keys (
    id uuid PRIMARY KEY,
    seller_id uuid NOT NULL REFERENCES catalogue.sellers (id) ON DELETE CASCADE,
    -- SHA-256 of the whole key; the key itself is never stored.
    key_hash bytea NOT NULL UNIQUE,
    -- First characters of the key, so an operator can tell keys apart.
    key_prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_keys_seller ON catalogue.api_keys (seller_id);

CREATE TABLE catalogue.folders (
    id uuid PRIMARY KEY,
    seller_id uuid NOT NULL REFERENCES catalogue.sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    kind text NOT NULL CHECK (kind IN ('image', 'video')),
    is_default boolean NOT NULL DEFAULT false,
    -- Live media in the folder, kept in the same transactions that change media.
    item_count bigint NOT NULL DEFAULT 0 CHECK (item_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Target of the media foreign key, which makes a media item's folder belong to the same seller and kind.
    UNIQUE (seller_id, id, kind)
);
-- NOTE: lower() folds only ASCII letters under the C collation, so "Äpfel" and "äpfel" can both exist there.
CREATE UNIQUE INDEX folders_name_unique ON catalogue.folders (seller_id, kind, lower(btrim(name)));
CREATE UNIQUE INDEX folders_one_default_per_kind ON catalogue.folders (seller_id, kind) WHERE is_default;

CREATE TABLE catalogue.media (
    id uuid PRIMARY KEY,
    seller_id uuid NOT NULL REFERENCES catalogue.sellers (id) ON DELETE CASCADE,
    -- NULL only for a deleted item whose folder was deleted afterwards.
    folder_id uuid,
    name text NOT NULL,
    -- The name case-folded by the service (Unicode-aware, whatever the database collation), for search.
    name_folded text NOT NULL,
    file_name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('image', 'video')),
    format text NOT NULL,
    mime_type text NOT NULL,
    byte_size bigint NOT NULL CHECK (byte_size >= 0),
    width integer NOT NULL DEFAULT 0,
    height integer NOT NULL DEFAULT 0,
    duration_ms bigint NOT NULL DEFAULT 0,
    frame_rate double precision NOT NULL DEFAULT 0,
    video_codec text NOT NULL DEFAULT '',
    audio_codec text NOT NULL DEFAULT '',
    rotation_degrees integer NOT NULL DEFAULT 0,
    has_audio boolean NOT NULL DEFAULT false,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    blob_key text NOT NULL,
    preview_blob_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    deleted_at timestamptz,
    CHECK (deleted_at IS NOT NULL OR folder_id IS NOT NULL),
    FOREIGN KEY (seller_id, folder_id, kind) REFERENCES catalogue.folders (seller_id, id, kind)
        ON DELETE SET NULL (folder_id)
);
-- Decides races between identical uploads: one live item per seller and content.
CREATE UNIQUE INDEX media_live_sha256 ON catalogue.media (seller_id, sha256) WHERE deleted_at IS NULL;
-- Newest-first pages with keyset pagination.
CREATE INDEX media_live_newest ON catalogue.media (seller_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX media_live_folder_newest ON catalogue.media (folder_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
-- Substring search on names (words and parts of words). The folded name is indexed rather than
-- lower(name) because lower() folds only ASCII letters under the C collation.
CREATE INDEX media_live_name_trgm ON catalogue.media USING gin (name_folded gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX media_live_blob_key ON catalogue.media (blob_key) WHERE deleted_at IS NULL;
CREATE INDEX media_live_preview_blob_key ON catalogue.media (preview_blob_key) WHERE deleted_at IS NULL;

-- First result of each upload sent with an idempotency key.
CREATE TABLE catalogue.upload_results (
    seller_id uuid NOT NULL REFERENCES catalogue.sellers (id) ON DELETE CASCADE,
    idempotency_key text NOT NULL,
    media_id uuid REFERENCES catalogue.media (id) ON DELETE CASCADE,
    duplicate boolean NOT NULL DEFAULT false,
    -- For a rejected upload: the status code name, reason, message and the serialized Rejection.
    error_code text,
    error_reason text,
    error_message text,
    rejection bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, idempotency_key),
    CHECK ((media_id IS NULL) <> (error_code IS NULL))
);
