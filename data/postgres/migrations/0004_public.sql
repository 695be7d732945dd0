-- The parents' search (SPEC §7, sqlstore.FindPublicListings): the
-- professionals of a few communes whom parents may find, in the order the
-- page lists them. The index holds only the visible rows; its WHERE must stay
-- word for word the one of the query (sqlstore.publicVisible), or SQLite does
-- not use it. The availability tables are read by their primary keys, which
-- start with professional_id. Keep in step with data/sqlite/migrations/central.

CREATE INDEX professionals_public ON professionals (commune_insee, sort_last, sort_first, id)
    WHERE listing = 'listed' AND habilitation NOT IN ('suspended', 'revoked');
