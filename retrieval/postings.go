package retrieval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A term_blocks row's postings are packed (migration 019): per posting, in passage id order,
// three unsigned varints (LEB128, as encoding/binary's Uvarint): the passage id minus the
// previous posting's (the first's minus the block's first_id, so 0), the term's frequency
// in the passage, and the passage's length. About 3 bytes a posting where the arrays
// before took 12, and no array headers. The migration's footnote_pack_postings and
// footnote_unpack_postings are the same format in SQL (chunks' delete trigger, the
// postings view); TestGoAndSQLPackPostingsAlike keeps them alike.

// maxPostingValue bounds a posting's tf and length: the search holds them as int16s, as
// the smallint arrays before the packing did.
const maxPostingValue = math.MaxInt16

// packPostings appends to dst the postings (ids[i], tfs[i], lens[i]), whose ids ascend,
// packed after a posting of passage prev: prev is the block's first id for a block's first
// postings, and its last id for postings appended to it.
func packPostings(dst []byte, prev int64, ids []int64, tfs, lens []int32) ([]byte, error) {
	if len(tfs) != len(ids) || len(lens) != len(ids) {
		return nil, fmt.Errorf("pack postings: %d ids, %d tfs, %d lengths", len(ids), len(tfs), len(lens))
	}
	for i, id := range ids {
		if id < prev {
			return nil, fmt.Errorf("pack postings: passage ids do not ascend (%d after %d)", id, prev)
		}
		if tfs[i] < 0 || tfs[i] > maxPostingValue || lens[i] < 0 || lens[i] > maxPostingValue {
			return nil, fmt.Errorf("pack postings: tf %d or length %d of passage %d is outside 0..%d", tfs[i], lens[i], id, maxPostingValue)
		}
		dst = binary.AppendUvarint(dst, uint64(id-prev))
		dst = binary.AppendUvarint(dst, uint64(tfs[i]))
		dst = binary.AppendUvarint(dst, uint64(lens[i]))
		prev = id
	}
	return dst, nil
}

var errBadPostings = errors.New("unpack postings: corrupt block")

// unpackPostings decodes the n postings of a block starting at first from packed into ids,
// tfs and lens (each of length n). It allocates nothing: a search decodes every block it
// reads, most of what it does in Go.
func unpackPostings(first int64, n int, packed []byte, ids []int64, tfs, lens []int16) error {
	id, at := first, 0
	for i := 0; i < n; i++ {
		var v [3]uint64
		for k := range v {
			// One byte is the usual case (every tf, most deltas of a common term).
			if at < len(packed) && packed[at] < 0x80 {
				v[k] = uint64(packed[at])
				at++
				continue
			}
			x, w := binary.Uvarint(packed[at:])
			if w <= 0 {
				return errBadPostings
			}
			v[k], at = x, at+w
		}
		if v[0] > uint64(math.MaxInt64-id) || v[1] > maxPostingValue || v[2] > maxPostingValue {
			return errBadPostings
		}
		id += int64(v[0])
		ids[i], tfs[i], lens[i] = id, int16(v[1]), int16(v[2])
	}
	if at != len(packed) {
		return fmt.Errorf("%w: %d bytes after %d postings", errBadPostings, len(packed)-at, n)
	}
	return nil
}
