package text

import "testing"

func TestAnswerKind(t *testing.T) {
	tests := []struct {
		q    string
		want Kind
	}{
		{"When did the tram line open?", KindTime},
		{"In what year was the council formed?", KindTime},
		{"What year was the bridge built?", KindTime},
		{"How many passengers use the line?", KindNumber},
		{"Who designed the station?", KindPerson},
		{"Where is the depot?", KindPlace},
		{"What did the council approve?", KindAny},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if got := AnswerKind(tt.q); got != tt.want {
				t.Errorf("AnswerKind(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestQuestionScore(t *testing.T) {
	weights := map[string]float64{"tram": 3, "line": 1, "open": 2, "harbour": 3}
	q := NewQuestion("When did the tram line open?", weights)
	t.Run("a sentence with the terms and a date beats one with the terms alone", func(t *testing.T) {
		dated := q.Score("The tram line will open in March 2028 after years of work.", "")
		undated := q.Score("The tram line will open after years of work and delays.", "")
		if dated <= undated {
			t.Fatalf("dated %.3f <= undated %.3f", dated, undated)
		}
	})
	t.Run("a sentence with more of the question's weight scores higher", func(t *testing.T) {
		more := q.Score("The tram line opened to passengers in 2028.", "")
		less := q.Score("The line opened to passengers in 2028.", "")
		if more <= less {
			t.Fatalf("more %.3f <= less %.3f", more, less)
		}
	})
	t.Run("a term found only in the title counts half", func(t *testing.T) {
		inTitle := q.Score("It will open in 2028 to passengers.", "Harbour tram line")
		noTitle := q.Score("It will open in 2028 to passengers.", "Council news")
		if inTitle <= noTitle {
			t.Fatalf("with title %.3f <= without %.3f", inTitle, noTitle)
		}
	})
	t.Run("a sentence that only repeats the question is penalised", func(t *testing.T) {
		echo := q.Score("When did the tram line open?", "")
		answer := q.Score("The tram line did open in 2028, on time.", "")
		if echo >= answer {
			t.Fatalf("echo %.3f >= answer %.3f", echo, answer)
		}
	})
	t.Run("a question with no terms scores everything zero", func(t *testing.T) {
		if got := NewQuestion("What is it?", nil).Score("Anything at all.", ""); got != 0 {
			t.Fatalf("got %.3f", got)
		}
	})
}
