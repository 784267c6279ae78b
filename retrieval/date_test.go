package retrieval_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestParseDate(t *testing.T) {
	t.Run("a date a person gives is read in UTC", func(t *testing.T) {
		got, err := retrieval.ParseDate("2024-05-02")
		if err != nil || !got.Equal(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("ParseDate = %v, %v", got, err)
		}
	})
	t.Run("a word that is no date is invalid input, quoted with the forms to use", func(t *testing.T) {
		_, err := retrieval.ParseDate("yesterday")
		if !errors.Is(err, retrieval.ErrInvalidInput) {
			t.Fatalf("err = %v, want ErrInvalidInput", err)
		}
		if want := `"yesterday" is not a date (use YYYY-MM-DD or RFC 3339)`; !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to contain %q", err, want)
		}
	})
}
