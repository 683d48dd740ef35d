-- A listing is known once its media were set for the first time.
CREATE TABLE listing.listings (
    seller_id  text        NOT NULL,
    listing_id text        NOT NULL,
    -- 1 after the first write, one more on every later write.
    version    bigint      NOT NULL CHECK (version >= 1),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, listing_id)
);

-- One row per filled slot. Images keep their order in `position`
-- (0 is the main image); the video and the size chart have position 0.
CREATE TABLE listing.listing_media (
    seller_id  text     NOT NULL,
    listing_id text     NOT NULL,
    slot       text     NOT NULL CHECK (slot IN ('image', 'video', 'size_chart')),
    position   smallint NOT NULL,
    media_id   text     NOT NULL,
    PRIMARY KEY (seller_id, listing_id, slot, position),
    FOREIGN KEY (seller_id, listing_id)
        REFERENCES listing.listings (seller_id, listing_id) ON DELETE CASCADE,
    CHECK (
        (slot = 'image' AND position BETWEEN 0 AND 8)
        OR (slot <> 'image' AND position = 0)
    )
);

-- Finds the listings that use a media item, for usage checks and deletes.
CREATE INDEX listing_media_by_media ON listing.listing_media (seller_id, media_id);
