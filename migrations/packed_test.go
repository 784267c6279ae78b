package migrations_test

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/migrations"
)

// TestArrayBlocksArePackedAndBack checks that 019 converts term_blocks' ids, tfs and lens
// arrays in place into n and packed postings that the postings view reads as the same
// postings, in the default partition and in a collection's own, and that its Down gives
// the same arrays back.
func TestArrayBlocksArePackedAndBack(t *testing.T) {
	ctx := context.Background()
	dsn, c, exec := atVersion(t, 18)
	// c1, in its own partitions, holds 300 passages: "common" in each (300 in three blocks),
	// "rare" in two, "edge" in three with tf and length at their bounds. c2, in the default
	// partition, holds one passage whose id is past 2^32 from c1's.
	exec(`INSERT INTO articles (id, collection, url, content_hash, body) VALUES
		(1, 'c1', 'https://a.example/1', 'h1', 'x'), (2, 'c2', 'https://a.example/2', 'h2', 'x')`)
	exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count, terms)
		SELECT i, 1, 'c1', i, 0, 1, 'x', 10 + i % 7,
		       CASE WHEN i <= 3 THEN 'common edge' WHEN i IN (7, 250) THEN 'common rare' ELSE 'common' END
		FROM generate_series(1, 300) AS i
		UNION ALL SELECT 10000000000, 2, 'c2', 0, 0, 1, 'x', 3, 'common'`)
	exec(`INSERT INTO term_stats (collection, term, df, max_tf, min_len) VALUES
		('c1', 'common', 300, 2, 10), ('c1', 'rare', 2, 3, 12), ('c1', 'edge', 3, 32767, 0), ('c2', 'common', 1, 1, 3)`)
	exec(`INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, ids, tfs, lens)
		SELECT 'c1', 'common', min(id), max(id), max(1 + id % 2), min(token_count), array_agg(id ORDER BY id),
		       array_agg((1 + id % 2)::smallint ORDER BY id), array_agg(token_count::smallint ORDER BY id)
		FROM chunks WHERE collection = 'c1' GROUP BY (id - 1) / 128
		UNION ALL SELECT 'c1', 'rare', 7, 250, 3, 10, '{7,250}', '{3,1}', '{14,12}'
		UNION ALL SELECT 'c1', 'edge', 1, 3, 32767, 0, '{1,2,3}', '{32767,0,128}', '{0,32767,127}'
		UNION ALL SELECT 'c2', 'common', 10000000000, 10000000000, 1, 3, '{10000000000}', '{1}', '{3}'`)
	var moved bool
	if err := c.QueryRow(ctx, `SELECT footnote_partition_collection('c1', 1)`).Scan(&moved); err != nil || !moved {
		t.Fatalf("footnote_partition_collection: %v, %v; want true", moved, err)
	}
	query := func(sql string) string {
		t.Helper()
		var s string
		if err := c.QueryRow(ctx, sql).Scan(&s); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return s
	}
	const viewRows = `SELECT string_agg(concat_ws(':', collection, term, chunk_id, tf, doc_len), ' '
		ORDER BY collection, term, chunk_id) FROM postings`
	const arrayRows = `SELECT string_agg(concat_ws(':', collection, term, first_id, last_id, max_tf, min_len, ids, tfs, lens), ' '
		ORDER BY collection, term, first_id) FROM term_blocks`
	postings, arrays := query(viewRows), query(arrayRows)
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}

	t.Run("the postings view reads the same postings from the packed blocks", func(t *testing.T) {
		if got := query(viewRows); got != postings {
			t.Errorf("postings after 019:\n%s\nwant\n%s", got, postings)
		}
	})
	t.Run("each block holds n postings, packed in 3 bytes for small values, and no arrays", func(t *testing.T) {
		got := query(`SELECT string_agg(concat_ws(':', collection, term, first_id, n, length(postings)), ' '
			ORDER BY collection, term, first_id) FROM term_blocks`)
		// common's blocks: 128 postings of 3 bytes (delta 0 or 1, tf 1–2, length 10–16);
		// edge's: 0,127,0 | 1,0,255 255 1 | 1,128 1,127 1,128 1 = 3 + 5 + 6 bytes.
		want := "c1:common:1:128:384 c1:common:129:128:384 c1:common:257:44:132 c1:edge:1:3:14 " +
			"c1:rare:7:2:7 c2:common:10000000000:1:3"
		if got != want {
			t.Errorf("blocks %s, want %s", got, want)
		}
		if n := countRows(t, c, `SELECT count(*) FROM pg_attribute WHERE attrelid = 'term_blocks'::regclass
			AND attname IN ('ids', 'tfs', 'lens') AND NOT attisdropped`); n != 0 {
			t.Errorf("term_blocks keeps %d of its arrays", n)
		}
	})
	t.Run("deleting a passage takes it out of its packed blocks", func(t *testing.T) {
		exec(`DELETE FROM chunks WHERE id IN (2, 128)`)
		got := query(`SELECT string_agg(concat_ws(':', term, first_id, last_id, n), ' ' ORDER BY term, first_id)
			FROM term_blocks WHERE collection = 'c1'`)
		if want := "common:1:127:126 common:129:256:128 common:257:300:44 edge:1:3:2 rare:7:250:2"; got != want {
			t.Errorf("blocks after deleting passages 2 and 128: %s, want %s", got, want)
		}
		exec(`DELETE FROM chunks WHERE id = 1`)
		if got := query(`SELECT string_agg(concat_ws(':', term, first_id, n), ' ' ORDER BY term, first_id)
			FROM term_blocks WHERE collection = 'c1' AND first_id < 129`); got != "common:3:125 edge:3:1 rare:7:2" {
			t.Errorf("blocks after deleting passage 1: %s", got)
		}
		// Put the deleted passages back as they were, for Down.
		exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count, terms)
			SELECT i, 1, 'c1', i, 0, 1, 'x', 10 + i % 7, CASE WHEN i <= 3 THEN 'common edge' ELSE 'common' END
			FROM unnest('{1,2,128}'::bigint[]) AS i`)
		exec(`DELETE FROM term_blocks WHERE collection = 'c1' AND term IN ('common', 'edge') AND first_id < 129`)
		exec(`INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, n, postings)
			SELECT 'c1', 'common', 1, 128, 2, 10, 128, footnote_pack_postings(array_agg(i ORDER BY i),
			       array_agg(1 + i % 2 ORDER BY i), array_agg(10 + i % 7 ORDER BY i)) FROM generate_series(1, 128) AS i
			UNION ALL SELECT 'c1', 'edge', 1, 3, 32767, 0, 3, footnote_pack_postings('{1,2,3}', '{32767,0,128}', '{0,32767,127}')`)
		if got := query(viewRows); got != postings {
			t.Errorf("postings after putting them back differ")
		}
	})
	t.Run("Down gives the arrays back", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 18, nil); err != nil {
			t.Fatal(err)
		}
		if got := query(arrayRows); got != arrays {
			t.Errorf("blocks after Down:\n%s\nwant\n%s", got, arrays)
		}
		if got := query(viewRows); got != postings {
			t.Errorf("postings after Down differ")
		}
		exec(`DELETE FROM chunks WHERE id = 7`) // the old footnote_remove_postings is back
		if got := query(`SELECT ids::text FROM term_blocks WHERE term = 'rare'`); got != "{250}" {
			t.Errorf("rare's block after deleting passage 7: %s, want {250}", got)
		}
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
	})
}
