package text

// irregular maps the past forms of common irregular English verbs to their base form,
// which the Snowball stemmer cannot do ("ran" stays "ran"): "How long did it run?" must
// match "it ran from 1961". Forms that are more often another word ("left", "rose",
// "lay", "wound", "bore") are left out.
var irregular = func() map[string]string {
	m := map[string]string{}
	for base, forms := range map[string][]string{
		"arise": {"arose", "arisen"}, "awake": {"awoke", "awoken"}, "be": {},
		"bear": {"borne"}, "beat": {"beaten"}, "become": {"became"}, "begin": {"began", "begun"},
		"bend": {"bent"}, "bind": {"bound"}, "bite": {"bit", "bitten"}, "bleed": {"bled"},
		"blow": {"blew", "blown"}, "break": {"broke", "broken"}, "breed": {"bred"},
		"bring": {"brought"}, "build": {"built"}, "burn": {"burnt"}, "buy": {"bought"},
		"catch": {"caught"}, "choose": {"chose", "chosen"}, "cling": {"clung"}, "come": {"came"},
		"creep": {"crept"}, "deal": {"dealt"}, "dig": {"dug"}, "draw": {"drew", "drawn"},
		"dream": {"dreamt"}, "drink": {"drank", "drunk"}, "drive": {"drove", "driven"},
		"eat": {"ate", "eaten"}, "fall": {"fell", "fallen"}, "feed": {"fed"}, "feel": {"felt"},
		"fight": {"fought"}, "find": {"found"}, "flee": {"fled"}, "fly": {"flew", "flown"},
		"forbid": {"forbade", "forbidden"}, "forget": {"forgot", "forgotten"},
		"forgive": {"forgave", "forgiven"}, "freeze": {"froze", "frozen"}, "get": {"got", "gotten"},
		"give": {"gave", "given"}, "go": {"went", "gone"}, "grind": {"ground"}, "grow": {"grew", "grown"},
		"hang": {"hung"}, "hear": {"heard"}, "hide": {"hid", "hidden"}, "hold": {"held"},
		"keep": {"kept"}, "know": {"knew", "known"}, "lay": {"laid"}, "lead": {"led"},
		"lend": {"lent"}, "lose": {"lost"}, "make": {"made"}, "mean": {"meant"}, "meet": {"met"},
		"overcome": {"overcame"}, "overtake": {"overtook", "overtaken"}, "overthrow": {"overthrew", "overthrown"},
		"pay": {"paid"}, "ride": {"rode", "ridden"}, "ring": {"rang", "rung"}, "rise": {"risen"},
		"run": {"ran"}, "say": {"said"}, "see": {"saw", "seen"}, "seek": {"sought"}, "sell": {"sold"},
		"send": {"sent"}, "shake": {"shook", "shaken"}, "shine": {"shone"}, "shoot": {"shot"},
		"show": {"shown"}, "shrink": {"shrank", "shrunk"}, "sing": {"sang", "sung"},
		"sink": {"sank", "sunk"}, "sit": {"sat"}, "sleep": {"slept"}, "slide": {"slid"},
		"speak": {"spoke", "spoken"}, "speed": {"sped"}, "spend": {"spent"}, "spin": {"spun"},
		"spring": {"sprang", "sprung"}, "stand": {"stood"}, "steal": {"stole", "stolen"},
		"stick": {"stuck"}, "sting": {"stung"}, "stride": {"strode"}, "strike": {"struck", "stricken"},
		"strive": {"strove", "striven"}, "swear": {"swore", "sworn"}, "sweep": {"swept"},
		"swim": {"swam", "swum"}, "swing": {"swung"}, "take": {"took", "taken"},
		"teach": {"taught"}, "tear": {"tore", "torn"}, "tell": {"told"}, "think": {"thought"},
		"throw": {"threw", "thrown"}, "undergo": {"underwent", "undergone"},
		"understand": {"understood"}, "undertake": {"undertook", "undertaken"},
		"wake": {"woke", "woken"}, "wear": {"wore", "worn"}, "weep": {"wept"}, "win": {"won"},
		"withdraw": {"withdrew", "withdrawn"}, "write": {"wrote", "written"},
	} {
		for _, f := range forms {
			m[f] = base
		}
	}
	return m
}()
