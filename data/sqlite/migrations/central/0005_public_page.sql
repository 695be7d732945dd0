-- The parents' search reads one page at a time (sqlstore.FindPublicListings
-- and CountPublicListings): the professionals of a few communes whom parents
-- may find, in the order the page lists them — structures first, then by
-- name, then by ID. This index holds exactly those rows (its WHERE must stay
-- word for word sqlstore.publicVisible, or SQLite does not use it), in
-- exactly that order (its second column is word for word
-- sqlstore.publicRank), and it covers the columns both queries read of
-- them (kind, listing and habilitation come last for that alone): the count
-- and the choice of a page read the index and never the table (an index-only
-- scan on PostgreSQL, a covering index on SQLite), and a page of one commune
-- is read in order without sorting the commune. Only the page's own rows are
-- then read from the table. It replaces 0004's index, which lacked the rank
-- and so made every search sort and read the whole commune.
-- Keep in step with data/postgres/migrations.

DROP INDEX professionals_public;
CREATE INDEX professionals_public_order ON professionals
    (commune_insee, (CASE WHEN kind = 'structure' THEN 0 ELSE 1 END), sort_last, sort_first, id,
     kind, listing, habilitation)
    WHERE listing = 'listed' AND habilitation NOT IN ('suspended', 'revoked');
