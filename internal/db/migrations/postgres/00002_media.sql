-- +goose Up
-- Category limits the media pipeline enforces (0: no limit).
ALTER TABLE categories ADD COLUMN max_duration_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN min_words INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN max_words INTEGER NOT NULL DEFAULT 0;

-- Facts the media pipeline finds about an asset.
ALTER TABLE assets ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN word_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN phash TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN video_codec TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN audio_codec TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN pages INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE assets DROP COLUMN pages;
ALTER TABLE assets DROP COLUMN rotation;
ALTER TABLE assets DROP COLUMN audio_codec;
ALTER TABLE assets DROP COLUMN video_codec;
ALTER TABLE assets DROP COLUMN phash;
ALTER TABLE assets DROP COLUMN word_count;
ALTER TABLE assets DROP COLUMN progress;
ALTER TABLE categories DROP COLUMN max_words;
ALTER TABLE categories DROP COLUMN min_words;
ALTER TABLE categories DROP COLUMN max_duration_seconds;
