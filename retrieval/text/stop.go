package text

// IsStop reports whether w (lower-cased) is too common to index: an English function or
// question word, a Japanese word in hiragana alone (particles and endings: scanWords) or a
// Chinese or Japanese question word (何, 誰, 何年, 哪, 什么, 多少: "what", "who", "what
// year", "which", "how many").
func IsStop(w string) bool {
	if _, ok := stopWords[w]; ok {
		return true
	}
	return w != "" && w[0] >= 0x80 && cjkStop(w)
}

// cjkStop is IsStop for a word that begins with a non-ASCII byte.
func cjkStop(w string) bool { return isHiragana(w) || cjkQuestionWords[w] }

// cjkQuestionWords are the question words of Chinese and Japanese written in kanji, as
// scanWords reads them (one character, or a pair).
var cjkQuestionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		"何", "誰", "幾", "何年", "何月", "何日", "何時", "何人", "何個", "何本", "何回", "何歳", "何倍", "何故",
		"哪", "谁", "什么", "为何", "多少", "几",
	} {
		m[w] = true
	}
	return m
}()

// stopWords is a short English list: function words and question words. Question words are
// stop words for ranking; the extractive answerer reads them from the raw question instead.
var stopWords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range []string{
		"a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
		"as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
		"by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
		"from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
		"him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "me",
		"more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or",
		"other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so",
		"some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
		"there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
		"very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
		"with", "would", "you", "your", "yours", "yourself", "yourselves", "will", "s", "t", "also",
		"whose", "many", "much", "name", "called", "kind", "type", "use", "used",
	} {
		m[w] = struct{}{}
	}
	return m
}()
