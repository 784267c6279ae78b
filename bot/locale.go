package bot

import (
	"strings"

	dg "github.com/bwmarrin/discordgo"
)

// The message catalogue: the member-facing lines footnote writes most (an answer that is
// not covered, the commonest refusals, the answer's buttons) in the languages Discord's
// members use most, chosen by the interaction's locale. The English text is the key, as in
// gettext: a line not in the catalogue, or a locale not in it, stays English. Mentions carry
// no locale and are answered in English.

// catalogue maps an English line to its translations by language (Discord's locale
// without its region, except where the region is the language's own key).
var catalogue = map[string]map[string]string{
	"The tracked articles don't answer that, and none comes close. Add articles about it with /add, then ask again.": {
		"de": "Die verfolgten Artikel beantworten das nicht, und keiner kommt nahe. Füge mit /add Artikel dazu hinzu und frag dann noch einmal.",
		"fr": "Les articles suivis ne répondent pas à cela, et aucun n'en approche. Ajoutez des articles sur le sujet avec /add, puis reposez la question.",
		"es": "Los artículos seguidos no responden a eso, y ninguno se acerca. Añade artículos sobre el tema con /add y vuelve a preguntar.",
		"pt": "Os artigos acompanhados não respondem a isso, e nenhum chega perto. Adicione artigos sobre o assunto com /add e pergunte de novo.",
		"it": "Gli articoli seguiti non rispondono a questo, e nessuno ci si avvicina. Aggiungi articoli sull'argomento con /add, poi chiedi di nuovo.",
		"nl": "De gevolgde artikelen beantwoorden dat niet, en geen enkel komt in de buurt. Voeg er artikelen over toe met /add en vraag het opnieuw.",
		"pl": "Śledzone artykuły nie odpowiadają na to pytanie i żaden nie jest bliski. Dodaj artykuły na ten temat przez /add i zapytaj ponownie.",
		"ja": "追跡中の記事にはその答えがなく、近いものもありません。/add で関連記事を追加してから、もう一度質問してください。",
	},
	"The tracked articles don't answer that. These are the closest sources; footnote found nothing in them to quote as an answer.": {
		"de": "Die verfolgten Artikel beantworten das nicht. Das sind die nächstliegenden Quellen; footnote fand darin nichts, was sich als Antwort zitieren ließe.",
		"fr": "Les articles suivis ne répondent pas à cela. Voici les sources les plus proches ; footnote n'y a rien trouvé à citer comme réponse.",
		"es": "Los artículos seguidos no responden a eso. Estas son las fuentes más cercanas; footnote no encontró en ellas nada que citar como respuesta.",
		"pt": "Os artigos acompanhados não respondem a isso. Estas são as fontes mais próximas; o footnote não encontrou nelas nada para citar como resposta.",
		"it": "Gli articoli seguiti non rispondono a questo. Queste sono le fonti più vicine; footnote non vi ha trovato nulla da citare come risposta.",
		"nl": "De gevolgde artikelen beantwoorden dat niet. Dit zijn de dichtstbijzijnde bronnen; footnote vond er niets in om als antwoord te citeren.",
		"pl": "Śledzone artykuły nie odpowiadają na to pytanie. Oto najbliższe źródła; footnote nie znalazł w nich nic, co mógłby zacytować jako odpowiedź.",
		"ja": "追跡中の記事にはその答えがありません。以下は最も近い情報源ですが、回答として引用できる箇所は見つかりませんでした。",
	},
	"Only admins can do that: it needs the Manage Server permission or footnote's admin role.": {
		"de": "Das dürfen nur Admins: Es braucht die Berechtigung „Server verwalten“ oder footnotes Admin-Rolle.",
		"fr": "Seuls les admins peuvent faire cela : il faut la permission Gérer le serveur ou le rôle admin de footnote.",
		"es": "Solo los admins pueden hacer eso: hace falta el permiso Gestionar servidor o el rol de admin de footnote.",
		"pt": "Só admins podem fazer isso: é preciso a permissão Gerenciar servidor ou o cargo de admin do footnote.",
		"it": "Solo gli admin possono farlo: serve il permesso Gestisci server o il ruolo admin di footnote.",
		"nl": "Alleen admins kunnen dat: het vereist de machtiging Server beheren of de adminrol van footnote.",
		"pl": "Tylko admini mogą to zrobić: potrzebne jest uprawnienie Zarządzanie serwerem lub rola admina footnote.",
		"ja": "これは管理者のみ実行できます。「サーバー管理」権限か footnote の管理者ロールが必要です。",
	},
	"footnote is busy right now. Retry in a few seconds.": {
		"de": "footnote ist gerade ausgelastet. Versuch es in ein paar Sekunden noch einmal.",
		"fr": "footnote est occupé pour le moment. Réessayez dans quelques secondes.",
		"es": "footnote está ocupado ahora mismo. Vuelve a intentarlo en unos segundos.",
		"pt": "O footnote está ocupado agora. Tente de novo em alguns segundos.",
		"it": "footnote è occupato in questo momento. Riprova tra qualche secondo.",
		"nl": "footnote is nu bezig. Probeer het over een paar seconden opnieuw.",
		"pl": "footnote jest teraz zajęty. Spróbuj ponownie za kilka sekund.",
		"ja": "footnote は現在混み合っています。数秒後にもう一度お試しください。",
	},
	"That button is out of date. Run the command again.": {
		"de": "Dieser Knopf ist veraltet. Führe den Befehl erneut aus.",
		"fr": "Ce bouton n'est plus à jour. Relancez la commande.",
		"es": "Ese botón está desactualizado. Vuelve a ejecutar el comando.",
		"pt": "Esse botão está desatualizado. Execute o comando de novo.",
		"it": "Questo pulsante non è più valido. Esegui di nuovo il comando.",
		"nl": "Die knop is verouderd. Voer de opdracht opnieuw uit.",
		"pl": "Ten przycisk jest nieaktualny. Uruchom polecenie ponownie.",
		"ja": "このボタンは古くなっています。コマンドをもう一度実行してください。",
	},
	"Helpful": {"de": "Hilfreich", "fr": "Utile", "es": "Útil", "pt": "Útil", "it": "Utile", "nl": "Nuttig",
		"pl": "Pomocne", "ja": "役に立った"},
	"Not helpful": {"de": "Nicht hilfreich", "fr": "Pas utile", "es": "No útil", "pt": "Não útil", "it": "Non utile",
		"nl": "Niet nuttig", "pl": "Niepomocne", "ja": "役に立たなかった"},
	"Passage": {"de": "Abschnitt", "fr": "Passage", "es": "Pasaje", "pt": "Trecho", "it": "Passaggio", "nl": "Passage",
		"pl": "Fragment", "ja": "抜粋"},
}

// language is the catalogue's key for a Discord locale: "de" for "de", "pt" for "pt-BR",
// "es" for "es-ES" and "es-419"; "" for English and for what the catalogue lacks.
func language(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	return lang
}

// translate returns s in the locale's language, or s itself when the catalogue lacks either.
func translate(locale, s string) string {
	if t, ok := catalogue[s][language(locale)]; ok {
		return t
	}
	return s
}

// localizeButtons translates the labels of footnote's buttons in rows ("Passage 3" as its
// word, then its number). Labels are footnote's own text, never an article's, and each is
// matched whole, so nothing else is rewritten.
func localizeButtons(locale string, rows []dg.MessageComponent) []dg.MessageComponent {
	if language(locale) == "" || language(locale) == "en" {
		return rows
	}
	out := make([]dg.MessageComponent, len(rows))
	for i, c := range rows {
		row, ok := c.(dg.ActionsRow)
		if !ok {
			out[i] = c
			continue
		}
		lr := dg.ActionsRow{Components: make([]dg.MessageComponent, len(row.Components))}
		for j, cc := range row.Components {
			if b, ok := cc.(dg.Button); ok {
				word, n, numbered := strings.Cut(b.Label, " ")
				if numbered && word == "Passage" {
					b.Label = translate(locale, word) + " " + n
				} else {
					b.Label = translate(locale, b.Label)
				}
				cc = b
			}
			lr.Components[j] = cc
		}
		out[i] = lr
	}
	return out
}
