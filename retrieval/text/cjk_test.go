package text

import (
	"reflect"
	"testing"
)

// Chinese and Japanese have no spaces between words: each run of one script is read as
// its pairs of characters, hiragana words (particles, endings) and question words are stop
// words, and a full-width 。！？ ends a sentence (not inside 「」).
func TestCJK(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		tokens   []string
		terms    []string
	}{
		{"a Japanese sentence: pairs within a script, particles left out of the terms", "富士山の標高は3776メートル",
			[]string{"富士", "士山", "の", "標高", "は", "3776", "メー", "ート", "トル"},
			[]string{"富士", "士山", "標高", "3776", "メー", "ート", "トル"}},
		{"one character alone is itself; a question word is a stop word", "誰が東京に", []string{"誰", "が", "東京", "に"}, []string{"東京"}},
		{"Chinese", "北京是中国的首都", []string{"北京", "京是", "是中", "中国", "国的", "的首", "首都"}, []string{"北京", "京是", "是中", "中国", "国的", "的首", "首都"}},
		{"a Latin word glued to kanji is a word of its own", "iPhone発売", []string{"iphone", "発売"}, []string{"iphon", "発売"}},
		{"voicing marks are part of the kana (ガス is not カス)", "ガス", []string{"ガス"}, []string{"ガス"}},
		{"Korean syllables", "서울의 인구", []string{"서울", "울의", "인구"}, []string{"서울", "울의", "인구"}},
		{"full-width digits and letters are the ASCII ones", "１９６４年にＪＲ", []string{"1964", "年", "に", "jr"}, []string{"1964", "年", "jr"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tok := range Tokens(tt.in) {
				if tt.in[tok.Start:tok.End] == "" {
					t.Fatalf("empty token at %d", tok.Start)
				}
				got = append(got, tok.Word)
			}
			if !reflect.DeepEqual(got, tt.tokens) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.tokens)
			}
			if got := Terms(tt.in); !reflect.DeepEqual(got, tt.terms) {
				t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.terms)
			}
		})
	}
	s := "東海道新幹線は1964年に開業した。「本当？」と聞いた！次の文。"
	var sents []string
	for _, sp := range Sentences(s) {
		sents = append(sents, s[sp.Start:sp.End])
	}
	if want := []string{"東海道新幹線は1964年に開業した。", "「本当？」と聞いた！", "次の文。"}; !reflect.DeepEqual(sents, want) {
		t.Errorf("Sentences = %q, want %q", sents, want)
	}
}

// A copy of a Japanese passage is found as an English one is: by its pairs of characters.
func TestRepeatsInJapanese(t *testing.T) {
	story := "東京都の人口は約1400万人となり、過去最多を更新した。都内には23の特別区があり、人口の約7割が区部に住んでいる。"
	copied := "東京都の人口は約1400万人となり、過去最多を記録した。都内には23の特別区があり、人口の約7割が区部に住む。"
	other := "富士山は標高3776メートルで、日本で最も高い山である。静岡県と山梨県にまたがっている。"
	ps, pc, po := Fingerprint(story), Fingerprint(copied), Fingerprint(other)
	if r := pc.Repeats(&ps); r < 0.5 {
		t.Errorf("a copy repeats %.2f of the story; want at least 0.5", r)
	}
	if r := po.Repeats(&ps); r > 0.2 {
		t.Errorf("another story repeats %.2f; want under 0.2", r)
	}
}

// A question in Japanese, Chinese or Korean asks for a date or a number with words of its
// own.
func TestAnswerKindInCJK(t *testing.T) {
	for q, want := range map[string]Kind{
		"東海道新幹線はいつ開業しましたか": KindTime,
		"北京奥运会是哪一年举办的？":    KindTime,
		"特別区はいくつありますか":     KindNumber,
		"登山者は何人ですか":        KindNumber,
		"中国有多少人口？":         KindNumber,
		"誰が開業しましたか":        KindPerson,
		"富士山はどこにありますか":     KindPlace,
		"富士山の標高は":          KindAny,
	} {
		if got := AnswerKind(q); got != want {
			t.Errorf("AnswerKind(%q) = %v, want %v", q, got, want)
		}
	}
}

// Requests for an overview in Japanese and Chinese are told from questions, as English
// ones are, and their topic kept.
func TestStripRequestInCJK(t *testing.T) {
	for q, want := range map[string]string{
		"フェンタニルについて教えてください":      "フェンタニル",
		"東京都の人口について知りたい":         "東京都の人口",
		"フェンタニル協議の最新情報":          "フェンタニル協議",
		"ユコスのニュースを要約して":          "ユコスのニュース",
		"告诉我关于芬太尼的新闻":            "芬太尼",
		"总结一下尤科斯":                "尤科斯",
		"芬太尼谈判的最新消息":             "芬太尼谈判",
		"東京都の人口は何人ですか":           "",
		"富士山の標高は？":               "",
		"北京奥运会是哪一年举办的？":          "",
		"Tell me about fentanyl": "fentanyl",
	} {
		topic, ok := StripRequest(q)
		if ok != (want != "") || ok && topic != want {
			t.Errorf("StripRequest(%q) = %q, %v; want %q", q, topic, ok, want)
		}
	}
}
