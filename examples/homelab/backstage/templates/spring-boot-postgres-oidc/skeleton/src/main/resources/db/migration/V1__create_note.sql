-- Owned by Flyway: never edit an applied migration, add V2__... instead.
-- Types match what Hibernate expects for Note: it validates the mapping after every migration.
CREATE TABLE note (
    id         BIGSERIAL      PRIMARY KEY,
    author     VARCHAR(255)   NOT NULL,
    text       VARCHAR(10000) NOT NULL CHECK (length(text) > 0),
    created_at TIMESTAMPTZ    NOT NULL DEFAULT now()
);

CREATE INDEX note_author_created_at ON note (author, created_at DESC);
