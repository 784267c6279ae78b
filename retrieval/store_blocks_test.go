package retrieval

import (
	"encoding/binary"
	"slices"
	"testing"
)

// int8Array is vals in Postgres' binary array format (array_send), one dimension.
func int8Array(vals ...int64) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1) // ndim
	b = binary.BigEndian.AppendUint32(b, 0)    // no NULLs
	b = binary.BigEndian.AppendUint32(b, 20)   // int8's oid
	b = binary.BigEndian.AppendUint32(b, uint32(len(vals)))
	b = binary.BigEndian.AppendUint32(b, 1) // lower bound
	for _, v := range vals {
		b = binary.BigEndian.AppendUint32(b, 8)
		b = binary.BigEndian.AppendUint64(b, uint64(v))
	}
	return b
}

func TestDecodeArray(t *testing.T) {
	i8 := func(v []byte) int64 { return int64(binary.BigEndian.Uint64(v)) }
	t.Run("a one-dimensional array decodes to its elements in order", func(t *testing.T) {
		got, err := decodeArray(int8Array(3, 1<<40, -2), 8, i8)
		if err != nil || !slices.Equal(got, []int64{3, 1 << 40, -2}) {
			t.Errorf("decodeArray = %v, %v", got, err)
		}
	})
	t.Run("NULL is no slice and an empty array an empty one", func(t *testing.T) {
		got, err := decodeArray(nil, 8, i8)
		if err != nil || got != nil {
			t.Errorf("NULL: %v, %v", got, err)
		}
		empty := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 0), 0), 20)
		if got, err := decodeArray(empty, 8, i8); err != nil || got == nil || len(got) != 0 {
			t.Errorf("empty: %v, %v", got, err)
		}
	})
	t.Run("a truncated array or a NULL element is an error, not a wrong posting", func(t *testing.T) {
		whole := int8Array(1, 2)
		if _, err := decodeArray(whole[:len(whole)-3], 8, i8); err == nil {
			t.Error("truncated array decoded")
		}
		withNull := int8Array(1, 2)
		binary.BigEndian.PutUint32(withNull[20:], 0xffffffff) // element 0's length: -1, NULL
		if _, err := decodeArray(withNull[:len(withNull)-8], 8, i8); err == nil {
			t.Error("NULL element decoded")
		}
	})
}
