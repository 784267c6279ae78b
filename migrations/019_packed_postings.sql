-- +goose Up
-- Packed postings (issue 10, "Storage ≤ 5 KB per passage besides the vectors"). A
-- term_blocks row held its postings as three arrays, ids bigint[], tfs smallint[] and
-- lens smallint[]: 12 bytes a posting, plus 3 × 24 bytes of array headers a row, which is
-- most of a one-posting block (a small collection's rare terms are mostly such blocks).
-- Now a row holds n, how many postings it has, and postings, one bytea: per posting, in
-- passage id order, three unsigned LEB128 varints (7 bits a byte, low bits first, the high
-- bit set on every byte but a value's last):
--   - the passage id minus the previous posting's (the first's minus first_id: 0). Ids
--     ascend within a block, so every delta is ≥ 0; a common term's are 1–2 bytes, a rare
--     term's 2–3;
--   - tf (1 byte below 128);
--   - the passage's length (chunks.token_count; 1–2 bytes).
-- That is 3 to 6 bytes a posting (3.2 on average on the 10k bench corpus) and a 1-byte
-- header for a block under 127 bytes.
-- tf and length stay within 0..32767, as the smallint arrays had them (retrieval decodes
-- them into int16s). retrieval packs and unpacks in Go (retrieval/postings.go); the two
-- functions below do the same in SQL, for footnote_remove_postings (chunks' delete
-- trigger), the postings view, this migration and its Down.

-- footnote_pack_postings packs sorted postings. It refuses ids that do not ascend and tf
-- or lengths outside 0..32767, as retrieval's packPostings does.
-- +goose StatementBegin
CREATE FUNCTION footnote_pack_postings(ids bigint[], tfs int[], lens int[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    res bytea := '';
    prev bigint;
    v bigint;
    i int;
    k int;
BEGIN
    IF cardinality(tfs) <> cardinality(ids) OR cardinality(lens) <> cardinality(ids) THEN
        RAISE EXCEPTION 'footnote_pack_postings: % ids, % tfs, % lengths', cardinality(ids), cardinality(tfs), cardinality(lens);
    END IF;
    FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
        IF ids[i] IS NULL OR tfs[i] IS NULL OR lens[i] IS NULL
           OR tfs[i] NOT BETWEEN 0 AND 32767 OR lens[i] NOT BETWEEN 0 AND 32767 THEN
            RAISE EXCEPTION 'footnote_pack_postings: tf % or length % of passage % is outside 0..32767', tfs[i], lens[i], ids[i];
        END IF;
        v := ids[i] - coalesce(prev, ids[i]);
        IF v < 0 THEN
            RAISE EXCEPTION 'footnote_pack_postings: passage ids do not ascend (% after %)', ids[i], prev;
        END IF;
        prev := ids[i];
        FOR k IN 1 .. 3 LOOP
            IF k = 2 THEN
                v := tfs[i];
            ELSIF k = 3 THEN
                v := lens[i];
            END IF;
            WHILE v >= 128 LOOP
                res := res || set_byte('\x00'::bytea, 0, ((v & 127) | 128)::int);
                v := v >> 7;
            END LOOP;
            res := res || set_byte('\x00'::bytea, 0, v::int);
        END LOOP;
    END LOOP;
    RETURN res;
END $$;
-- +goose StatementEnd

-- footnote_unpack_postings is the postings of a block that starts at first_id. A block cut
-- short (a varint's last byte missing) is an error, not fewer postings. The three values
-- are decoded by three copies of one loop, each with a path of its own for a one-byte
-- value (every tf, most deltas): plpgsql pays for every statement, and chunks' delete
-- trigger unpacks each block that may hold a removed passage.
-- +goose StatementBegin
CREATE FUNCTION footnote_unpack_postings(first_id bigint, packed bytea)
RETURNS TABLE (chunk_id bigint, tf int, doc_len int)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    pos int := 0;
    size int := length(packed);
    v bigint;
    b int;
    shift int;
BEGIN
    chunk_id := first_id;
    WHILE pos < size LOOP
        b := get_byte(packed, pos);
        pos := pos + 1;
        IF b < 128 THEN
            chunk_id := chunk_id + b;
        ELSE
            v := b & 127;
            shift := 7;
            LOOP
                IF pos >= size THEN
                    RAISE EXCEPTION 'footnote_unpack_postings: packed postings end inside a value';
                END IF;
                b := get_byte(packed, pos);
                pos := pos + 1;
                v := v | ((b & 127)::bigint << shift);
                EXIT WHEN b < 128;
                shift := shift + 7;
            END LOOP;
            chunk_id := chunk_id + v;
        END IF;
        IF pos >= size THEN
            RAISE EXCEPTION 'footnote_unpack_postings: packed postings end inside a posting';
        END IF;
        b := get_byte(packed, pos);
        pos := pos + 1;
        IF b < 128 THEN
            tf := b;
        ELSE
            v := b & 127;
            shift := 7;
            LOOP
                IF pos >= size THEN
                    RAISE EXCEPTION 'footnote_unpack_postings: packed postings end inside a value';
                END IF;
                b := get_byte(packed, pos);
                pos := pos + 1;
                v := v | ((b & 127)::bigint << shift);
                EXIT WHEN b < 128;
                shift := shift + 7;
            END LOOP;
            tf := v;
        END IF;
        IF pos >= size THEN
            RAISE EXCEPTION 'footnote_unpack_postings: packed postings end inside a posting';
        END IF;
        b := get_byte(packed, pos);
        pos := pos + 1;
        IF b < 128 THEN
            doc_len := b;
        ELSE
            v := b & 127;
            shift := 7;
            LOOP
                IF pos >= size THEN
                    RAISE EXCEPTION 'footnote_unpack_postings: packed postings end inside a value';
                END IF;
                b := get_byte(packed, pos);
                pos := pos + 1;
                v := v | ((b & 127)::bigint << shift);
                EXIT WHEN b < 128;
                shift := shift + 7;
            END LOOP;
            doc_len := v;
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
-- +goose StatementEnd

-- The view reads term_blocks' arrays: it goes first, and comes back over the new columns.
DROP VIEW postings;

-- Convert in place. The arrays are emptied (NULL) by the same update that fills the new
-- columns, so the new row versions do not carry them on: dropping a column leaves its
-- values in the rows that hold them. The old versions' space is dead once this commits
-- (vacuum makes it reusable; VACUUM FULL term_blocks gives it back to the file system).
-- ALTER TABLE on the partitioned parent reaches every partition; the update goes through
-- the parent too, whose forced policies let migrations through (footnote.scope = 'all',
-- migrations.migrate).
ALTER TABLE term_blocks ADD COLUMN n smallint, ADD COLUMN postings bytea,
    ALTER COLUMN ids DROP NOT NULL, ALTER COLUMN tfs DROP NOT NULL, ALTER COLUMN lens DROP NOT NULL;
UPDATE term_blocks SET n = cardinality(ids), postings = footnote_pack_postings(ids, tfs, lens),
    ids = NULL, tfs = NULL, lens = NULL;
ALTER TABLE term_blocks DROP COLUMN ids, DROP COLUMN tfs, DROP COLUMN lens,
    ALTER COLUMN n SET NOT NULL, ALTER COLUMN postings SET NOT NULL;

CREATE VIEW postings WITH (security_invoker = true) AS
SELECT b.collection, b.term, u.chunk_id, u.tf, u.doc_len
FROM term_blocks b, footnote_unpack_postings(b.first_id, b.postings) AS u;

-- footnote_remove_postings (migration 016) as it was, over packed blocks: the blocks whose
-- range holds a removed passage of their term are locked (in the same order as before),
-- unpacked, and written again without it when it was there; a block left empty goes. The
-- arrays' test for a removed passage (ids && removed, in C) becomes a test of the block's
-- range: unpacking, in plpgsql, is the cost, and removing passages of many articles at
-- once spans most of a common term's blocks with its lowest and highest passage.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_remove_postings(coll text, gone_ids bigint[], gone_terms text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM term_stats s
    WHERE s.collection = coll AND s.term = ANY (gone_terms)
    ORDER BY s.term FOR UPDATE;
    UPDATE term_stats s SET df = s.df - g.n
    FROM (SELECT term, count(*) AS n FROM unnest(gone_terms) AS t(term) GROUP BY term) g
    WHERE s.collection = coll AND s.term = g.term;
    DELETE FROM term_stats WHERE collection = coll AND term = ANY (gone_terms) AND df <= 0;

    PERFORM 1 FROM term_blocks b
    JOIN (SELECT term, array_agg(id) AS ids, min(id) AS lo, max(id) AS hi
          FROM unnest(gone_ids, gone_terms) AS v(id, term) GROUP BY term) g
        ON b.collection = coll AND b.term = g.term AND b.first_id <= g.hi AND b.last_id >= g.lo
    WHERE EXISTS (SELECT 1 FROM unnest(g.ids) AS x(id) WHERE x.id BETWEEN b.first_id AND b.last_id)
    ORDER BY b.term, b.first_id FOR UPDATE OF b;
    WITH g AS (
        SELECT term, array_agg(id) AS ids, min(id) AS lo, max(id) AS hi
        FROM unnest(gone_ids, gone_terms) AS v(id, term) GROUP BY term
    ), kept AS (
        SELECT b.term, b.first_id AS old_first, b.n AS old_n, k.*
        FROM term_blocks b JOIN g
            ON b.collection = coll AND b.term = g.term AND b.first_id <= g.hi AND b.last_id >= g.lo
        CROSS JOIN LATERAL (
            SELECT count(*) AS n, array_agg(u.chunk_id ORDER BY u.chunk_id) AS ids,
                   array_agg(u.tf ORDER BY u.chunk_id) AS tfs, array_agg(u.doc_len ORDER BY u.chunk_id) AS lens,
                   min(u.chunk_id) AS lo, max(u.chunk_id) AS hi, max(u.tf) AS max_tf, min(u.doc_len) AS min_len
            FROM footnote_unpack_postings(b.first_id, b.postings) AS u
            WHERE u.chunk_id <> ALL (g.ids)) k
        WHERE EXISTS (SELECT 1 FROM unnest(g.ids) AS x(id) WHERE x.id BETWEEN b.first_id AND b.last_id)
    ), emptied AS (
        DELETE FROM term_blocks b USING kept
        WHERE kept.n = 0 AND b.collection = coll AND b.term = kept.term AND b.first_id = kept.old_first
    )
    UPDATE term_blocks b
    SET first_id = kept.lo, last_id = kept.hi, max_tf = kept.max_tf, min_len = kept.min_len,
        n = kept.n, postings = footnote_pack_postings(kept.ids, kept.tfs, kept.lens)
    FROM kept
    WHERE kept.n > 0 AND kept.n < kept.old_n
      AND b.collection = coll AND b.term = kept.term AND b.first_id = kept.old_first;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_remove_postings(coll text, gone_ids bigint[], gone_terms text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM term_stats s
    WHERE s.collection = coll AND s.term = ANY (gone_terms)
    ORDER BY s.term FOR UPDATE;
    UPDATE term_stats s SET df = s.df - g.n
    FROM (SELECT term, count(*) AS n FROM unnest(gone_terms) AS t(term) GROUP BY term) g
    WHERE s.collection = coll AND s.term = g.term;
    DELETE FROM term_stats WHERE collection = coll AND term = ANY (gone_terms) AND df <= 0;

    PERFORM 1 FROM term_blocks b
    JOIN (SELECT term, array_agg(id) AS ids, min(id) AS lo, max(id) AS hi
          FROM unnest(gone_ids, gone_terms) AS v(id, term) GROUP BY term) g
        ON b.collection = coll AND b.term = g.term AND b.first_id <= g.hi AND b.last_id >= g.lo
    WHERE b.ids && g.ids
    ORDER BY b.term, b.first_id FOR UPDATE OF b;
    WITH g AS (
        SELECT term, array_agg(id) AS ids, min(id) AS lo, max(id) AS hi
        FROM unnest(gone_ids, gone_terms) AS v(id, term) GROUP BY term
    ), kept AS (
        SELECT b.term, b.first_id AS old_first, k.*
        FROM term_blocks b JOIN g
            ON b.collection = coll AND b.term = g.term AND b.first_id <= g.hi AND b.last_id >= g.lo
        CROSS JOIN LATERAL (
            SELECT array_agg(u.id ORDER BY u.id) AS ids, array_agg(u.tf ORDER BY u.id) AS tfs,
                   array_agg(u.len ORDER BY u.id) AS lens, min(u.id) AS lo, max(u.id) AS hi,
                   max(u.tf) AS max_tf, min(u.len) AS min_len
            FROM unnest(b.ids, b.tfs, b.lens) AS u(id, tf, len)
            WHERE u.id <> ALL (g.ids)) k
        WHERE b.ids && g.ids
    ), emptied AS (
        DELETE FROM term_blocks b USING kept
        WHERE kept.ids IS NULL AND b.collection = coll AND b.term = kept.term AND b.first_id = kept.old_first
    )
    UPDATE term_blocks b
    SET first_id = kept.lo, last_id = kept.hi, max_tf = kept.max_tf, min_len = kept.min_len,
        ids = kept.ids, tfs = kept.tfs, lens = kept.lens
    FROM kept
    WHERE kept.ids IS NOT NULL AND b.collection = coll AND b.term = kept.term AND b.first_id = kept.old_first;
END $$;
-- +goose StatementEnd

DROP VIEW postings;
ALTER TABLE term_blocks ADD COLUMN ids bigint[], ADD COLUMN tfs smallint[], ADD COLUMN lens smallint[],
    ALTER COLUMN n DROP NOT NULL, ALTER COLUMN postings DROP NOT NULL;
UPDATE term_blocks b SET (ids, tfs, lens) = (
        SELECT array_agg(u.chunk_id ORDER BY u.chunk_id), array_agg(u.tf::smallint ORDER BY u.chunk_id),
               array_agg(u.doc_len::smallint ORDER BY u.chunk_id)
        FROM footnote_unpack_postings(b.first_id, b.postings) AS u),
    n = NULL, postings = NULL;
ALTER TABLE term_blocks DROP COLUMN n, DROP COLUMN postings,
    ALTER COLUMN ids SET NOT NULL, ALTER COLUMN tfs SET NOT NULL, ALTER COLUMN lens SET NOT NULL;
CREATE VIEW postings WITH (security_invoker = true) AS
SELECT b.collection, b.term, u.chunk_id, u.tf::int AS tf, u.doc_len::int AS doc_len
FROM term_blocks b, unnest(b.ids, b.tfs, b.lens) AS u(chunk_id, tf, doc_len);

DROP FUNCTION footnote_unpack_postings(bigint, bytea), footnote_pack_postings(bigint[], int[], int[]);
