package retrieval_test

import (
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// japaneseCorpus is three short Japanese news articles (no spaces between words) and an
// English one.
var japaneseCorpus = []doc{
	{URL: "https://news.example/ja/tokyo", Title: "東京都の人口、過去最多に", Text: "東京都の人口は約1400万人となり、過去最多を更新した。都内には23の特別区があり、人口の約7割が区部に住んでいる。都は子育て支援を拡充する方針だ。"},
	{URL: "https://news.example/ja/fuji", Title: "富士山の山開き", Text: "富士山は標高3776メートルで、日本で最も高い山である。静岡県と山梨県にまたがり、毎年7月に山開きを迎える。今年は約２０万人の登山者が見込まれている。"},
	{URL: "https://news.example/ja/shinkansen", Title: "東海道新幹線、開業60年", Text: "東海道新幹線は1964年10月に開業した。東京駅と新大阪駅を最速で約2時間半で結んでいる。開業以来、乗客の死亡事故は一度も起きていない。"},
	{URL: "https://news.example/harbour", Title: "Harbour repairs", Text: "The town council voted on the budget for the harbour. The mayor said the repairs would begin in spring."},
}

// Articles in Japanese (or Chinese) are searched and quoted as English ones are: their
// text is read as pairs of characters, a full-width "。" ends a sentence, and the quote is
// the sentence that answers (with the one before it when that names the subject).
func TestJapaneseArticlesAreSearchedAndQuoted(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, japaneseCorpus...)
	for _, tc := range []struct{ question, url, quote string }{
		{"富士山の標高は何メートルですか？", "https://news.example/ja/fuji", "富士山は標高3776メートルで、日本で最も高い山である。"},
		{"東海道新幹線はいつ開業しましたか", "https://news.example/ja/shinkansen", "東海道新幹線は1964年10月に開業した。"},
		{"東京都の特別区はいくつありますか", "https://news.example/ja/tokyo", "都内には23の特別区があり、人口の約7割が区部に住んでいる。"},
		{"今年の登山者は何人ですか", "https://news.example/ja/fuji", "今年は約２０万人の登山者が見込まれている。"},
	} {
		t.Run(tc.question, func(t *testing.T) {
			if rs := search(t, e, coll, tc.question, 3, retrieval.Filter{}); len(rs) == 0 || rs[0].URL != tc.url {
				t.Errorf("search = %v; want %s first", urls(rs), tc.url)
			}
			a, err := ask(t, e, coll, tc.question)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != tc.url || !strings.Contains(a.Citations[0].Quote, tc.quote) {
				t.Errorf("Ask = covered %v, %+v; want a first quote holding %q from %s", a.Covered, a.Citations, tc.quote, tc.url)
			}
			if len(a.Citations) > 0 && len(a.Citations[0].Quote) > 3*len(tc.quote) {
				t.Errorf("first quote %q: want the sentence, not the paragraph", a.Citations[0].Quote)
			}
		})
	}
	t.Run("a request for an overview quotes the article about its topic", func(t *testing.T) {
		a, err := ask(t, e, coll, "富士山について教えてください")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != "https://news.example/ja/fuji" {
			t.Errorf("Ask = covered %v, %+v; want the Mount Fuji article quoted", a.Covered, a.Citations)
		}
		a, err = ask(t, e, coll, "大阪城について教えて")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if a.Covered || len(a.Citations) != 0 {
			t.Errorf("a request about Osaka castle = covered %v, %+v; want an abstention", a.Covered, a.Citations)
		}
	})
	t.Run("a question about an absent topic abstains", func(t *testing.T) {
		a, err := ask(t, e, coll, "大阪城を建てたのは誰ですか？")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if a.Covered || len(a.Citations) != 0 {
			t.Errorf("Ask = covered %v, %+v; want an abstention", a.Covered, a.Citations)
		}
	})
}
