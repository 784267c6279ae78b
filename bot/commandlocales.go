package bot

import dg "github.com/bwmarrin/discordgo"

// Command descriptions in the languages Discord's members use most, shown in the command
// picker for members whose Discord is set to one of them. Command and option names stay
// English on purpose: footnote's own messages name them ("/add", "url:"), and one name per
// command keeps those messages, the README and the console true in every language.
var commandDescriptions = map[string]map[dg.Locale]string{
	"ask": {
		dg.German:       "Frag zu den Artikeln dieses Servers; die Antwort zitiert sie",
		dg.French:       "Posez une question sur les articles suivis ici ; la réponse les cite",
		dg.SpanishES:    "Pregunta sobre los artículos de este servidor; la respuesta los cita",
		dg.PortugueseBR: "Pergunte sobre os artigos deste servidor; a resposta os cita",
		dg.Italian:      "Chiedi degli articoli di questo server; la risposta li cita",
		dg.Dutch:        "Stel een vraag over de artikelen van deze server; het antwoord citeert ze",
		dg.Polish:       "Zapytaj o artykuły tego serwera; odpowiedź je cytuje",
		dg.Japanese:     "このサーバーの記事について質問します（回答は記事を引用します）",
	},
	"add": {
		dg.German:       "Artikel aufnehmen: Link angeben oder Datei hochladen (.txt, .md, .html)",
		dg.French:       "Suivre un article : son lien ou un fichier (.txt, .md, .html)",
		dg.SpanishES:    "Seguir un artículo: su enlace o un archivo (.txt, .md, .html)",
		dg.PortugueseBR: "Acompanhar um artigo: o link ou um arquivo (.txt, .md, .html)",
		dg.Italian:      "Segui un articolo: il link o un file (.txt, .md, .html)",
		dg.Dutch:        "Een artikel volgen: de link of een bestand (.txt, .md, .html)",
		dg.Polish:       "Śledź artykuł: podaj link lub wgraj plik (.txt, .md, .html)",
		dg.Japanese:     "記事を追加：リンクを指定するかファイルをアップロード（.txt, .md, .html）",
	},
	"help": {
		dg.German:       "Was footnote auf diesem Server kann, und seine Einstellungen hier",
		dg.French:       "Ce que footnote sait faire sur ce serveur, et ses réglages ici",
		dg.SpanishES:    "Qué puede hacer footnote en este servidor y su configuración aquí",
		dg.PortugueseBR: "O que o footnote faz neste servidor e suas configurações aqui",
		dg.Italian:      "Cosa può fare footnote in questo server, e le sue impostazioni qui",
		dg.Dutch:        "Wat footnote op deze server kan, en de instellingen hier",
		dg.Polish:       "Co footnote potrafi na tym serwerze i jego ustawienia tutaj",
		dg.Japanese:     "このサーバーで footnote ができることと、ここでの設定",
	},
	"articles": {
		dg.German:       "Die Artikel dieses Servers auflisten, neueste zuerst",
		dg.French:       "Lister les articles suivis ici, les plus récents d'abord",
		dg.SpanishES:    "Lista los artículos de este servidor, los más recientes primero",
		dg.PortugueseBR: "Lista os artigos deste servidor, os mais recentes primeiro",
		dg.Italian:      "Elenca gli articoli di questo server, dai più recenti",
		dg.Dutch:        "Toon de artikelen van deze server, nieuwste eerst",
		dg.Polish:       "Lista artykułów tego serwera, od najnowszych",
		dg.Japanese:     "このサーバーの記事を新しい順に一覧表示",
	},
	"remove": {
		dg.German:       "Einen selbst hinzugefügten Artikel entfernen (Admins: jeden)",
		dg.French:       "Ne plus suivre un article que vous avez ajouté (admins : tout article)",
		dg.SpanishES:    "Deja de seguir un artículo que añadiste (admins: cualquiera)",
		dg.PortugueseBR: "Pare de acompanhar um artigo que você adicionou (admins: qualquer um)",
		dg.Italian:      "Smetti di seguire un articolo che hai aggiunto (admin: qualsiasi)",
		dg.Dutch:        "Stop met het volgen van een artikel dat je toevoegde (admins: elk)",
		dg.Polish:       "Przestań śledzić dodany przez siebie artykuł (admini: dowolny)",
		dg.Japanese:     "自分が追加した記事を削除（管理者はすべての記事）",
	},
	"reindex": {
		dg.German:       "Artikel dieses Servers mit dem aktuellen Modell neu indexieren (Admins)",
		dg.French:       "Réindexer les articles de ce serveur avec le modèle actuel (admins)",
		dg.SpanishES:    "Reindexa los artículos de este servidor con el modelo actual (admins)",
		dg.PortugueseBR: "Reindexa os artigos deste servidor com o modelo atual (admins)",
		dg.Italian:      "Reindicizza gli articoli di questo server con il modello attuale (admin)",
		dg.Dutch:        "Indexeer de artikelen van deze server opnieuw met het huidige model (admins)",
		dg.Polish:       "Zaindeksuj ponownie artykuły serwera bieżącym modelem (admini)",
		dg.Japanese:     "現在のモデルでこのサーバーの記事を再インデックス（管理者）",
	},
	"settings": {
		dg.German:       "footnotes Einstellungen für diesen Server zeigen oder ändern (Admins)",
		dg.French:       "Voir ou modifier les réglages de footnote pour ce serveur (admins)",
		dg.SpanishES:    "Ver o cambiar los ajustes de footnote en este servidor (admins)",
		dg.PortugueseBR: "Ver ou alterar as configurações do footnote neste servidor (admins)",
		dg.Italian:      "Mostra o modifica le impostazioni di footnote per questo server (admin)",
		dg.Dutch:        "Bekijk of wijzig de instellingen van footnote voor deze server (admins)",
		dg.Polish:       "Pokaż lub zmień ustawienia footnote na tym serwerze (admini)",
		dg.Japanese:     "このサーバーでのfootnoteの設定を表示・変更（管理者）",
	},
	"track": {
		dg.German:       "Einem Newsfeed folgen (RSS, Atom, JSON) und neue Artikel aufnehmen",
		dg.French:       "Suivre un flux d'actualités (RSS, Atom, JSON) et ajouter ses articles",
		dg.SpanishES:    "Seguir un feed de noticias (RSS, Atom, JSON) y añadir sus artículos",
		dg.PortugueseBR: "Acompanhar um feed de notícias (RSS, Atom, JSON) e adicionar os artigos",
		dg.Italian:      "Segui un feed di notizie (RSS, Atom, JSON) e aggiungi i nuovi articoli",
		dg.Dutch:        "Een nieuwsfeed volgen (RSS, Atom, JSON) en nieuwe artikelen toevoegen",
		dg.Polish:       "Śledź kanał wiadomości (RSS, Atom, JSON) i dodawaj nowe artykuły",
		dg.Japanese:     "ニュースフィード（RSS、Atom、JSON）をフォローし新着記事を追加",
	},
	"feeds": {
		dg.German:       "Die Feeds dieses Servers auflisten und wie ihre Abrufe liefen",
		dg.French:       "Lister les flux suivis ici et l'état de leurs relevés",
		dg.SpanishES:    "Lista los feeds de este servidor y cómo fueron sus consultas",
		dg.PortugueseBR: "Lista os feeds deste servidor e como foram as consultas",
		dg.Italian:      "Elenca i feed di questo server e l'esito dei controlli",
		dg.Dutch:        "Toon de feeds van deze server en hoe het ophalen ging",
		dg.Polish:       "Lista kanałów tego serwera i wyniki ich sprawdzania",
		dg.Japanese:     "このサーバーがフォローするフィードと取得状況を一覧表示",
	},
	"untrack": {
		dg.German:       "Einem Feed nicht mehr folgen (seine Artikel bleiben)",
		dg.French:       "Ne plus suivre un flux (ses articles restent)",
		dg.SpanishES:    "Dejar de seguir un feed (sus artículos se quedan)",
		dg.PortugueseBR: "Parar de acompanhar um feed (os artigos ficam)",
		dg.Italian:      "Smetti di seguire un feed (i suoi articoli restano)",
		dg.Dutch:        "Een feed niet meer volgen (de artikelen blijven)",
		dg.Polish:       "Przestań śledzić kanał (jego artykuły zostają)",
		dg.Japanese:     "フィードのフォローをやめる（記事は残ります）",
	},
}

// localizeCommands sets each command's translated descriptions; Latin American Spanish
// takes Spain's.
func localizeCommands(cmds []*dg.ApplicationCommand) {
	for _, c := range cmds {
		d, ok := commandDescriptions[c.Name]
		if !ok {
			continue
		}
		out := make(map[dg.Locale]string, len(d)+1)
		for l, s := range d {
			out[l] = s
		}
		out[dg.SpanishLATAM] = d[dg.SpanishES]
		c.DescriptionLocalizations = &out
	}
}
