"""Word lists for sentiment and urgency, written for this project (en, de, es, fr).

Words are stored accent-folded and lower-cased, the form `normalize_tokens` produces. An entry
ending in `*` matches every word starting with it, which covers inflection and German compounds
without a stemmer. Polarity runs from -3 (furious) to +3 (delighted). Words that describe a
technical fault ("error", "Fehler") are deliberately absent: in a support desk they say what is
broken, not how the customer feels about it.
"""

from __future__ import annotations

POLARITY: dict[str, float] = {
    # English
    "angry": -2.5, "furious": -3, "outraged": -3, "livid": -3, "annoyed": -2, "annoying": -2,
    "irritated": -2, "frustrat*": -2, "disappoint*": -2, "unacceptable": -3, "ridiculous": -2.5,
    "terrible": -3, "horrible": -3, "awful": -3, "worst": -3, "bad": -1.5, "poor": -1.5,
    "useless": -2.5, "pathetic": -3, "disgrace*": -3, "disgust*": -3, "incompetent": -3,
    "shameful": -2.5, "scam": -3, "rip": -1, "upset": -2, "unhappy": -2, "dissatisfied": -2,
    "fed": -1, "sick": -1.5, "hate": -3, "hated": -3, "waste": -2, "wasted": -2,
    "nightmare": -2.5, "mess": -1.5, "rude": -2.5, "ignored": -2, "ignoring": -2,
    "complain*": -1.5, "sue": -2, "lawsuit": -2, "worried": -1.5, "concerned": -1,
    "confus*": -1, "unfortunately": -0.5, "again": -0.5, "still": -0.5,
    "thanks": 1, "thank": 1, "thx": 1, "great": 2, "excellent": 3, "happy": 2, "love": 2.5,
    "appreciate*": 1.5, "perfect": 2.5, "helpful": 2, "wonderful": 3, "pleased": 2,
    "satisfied": 2, "good": 1.5, "awesome": 3, "amazing": 3, "fantastic": 3, "glad": 2,
    "quick": 1, "fast": 1, "kind": 1.5, "nice": 1.5, "fine": 0.5, "resolved": 1,
    # German
    "wutend": -2.5, "verargert": -2, "argerlich": -2, "sauer": -2, "genervt": -2,
    "frustriert": -2, "enttausch*": -2, "inakzeptabel": -3, "unverschamt*": -3,
    "lacherlich": -2.5, "schrecklich": -3, "furchtbar": -3, "katastroph*": -3, "schlecht*": -1.5,
    "miserabel": -3, "nutzlos": -2.5, "unzufrieden": -2, "zumutung": -3, "frechheit": -3,
    "skandal*": -3, "betrug": -3, "abzocke": -3, "argernis": -2, "hasse": -3, "leider": -0.5,
    "schon": -0.3, "wieder": -0.5, "immer": -0.3, "beschwerde*": -1.5, "anwalt": -2,
    "klage": -2, "besorgt": -1.5, "danke": 1, "dank": 1, "vielen": 0.3, "super": 2,
    "toll": 2, "ausgezeichnet": 3, "hervorragend": 3, "zufrieden": 2, "freue": 1.5,
    "froh": 2, "perfekt": 2.5, "hilfreich": 2, "gut": 1.5, "prima": 2, "klasse": 2,
    "schnell": 1, "freundlich": 1.5, "wunderbar": 3, "begeistert": 3,
    # Spanish
    "enfadado": -2.5, "enojado": -2.5, "furioso": -3, "molest*": -2, "frustrad*": -2,
    "decepcion*": -2, "inaceptable": -3, "ridiculo": -2.5,
    "pesimo": -3, "malo": -1.5, "mala": -1.5, "mal": -1, "inutil": -2.5, "vergonzoso": -3,
    "verguenza": -3, "estafa": -3, "harto": -2.5, "harta": -2.5, "insatisfech*": -2,
    "descontent*": -2, "queja*": -1.5, "abogado": -2, "demanda": -1.5, "lamentable": -2.5,
    "desastre": -3, "odio": -3, "preocupad*": -1.5, "lamentablemente": -0.5,
    "otra": -0.3, "todavia": -0.5, "aun": -0.3, "gracias": 1, "genial": 2, "excelente": 3,
    "feliz": 2, "encanta": 2.5, "perfecto": 2.5, "util": 1.5, "maravillos*": 3,
    "satisfech*": 2, "content*": 2, "bueno": 1.5, "buena": 1.5, "bien": 1, "rapido": 1,
    "amable": 1.5, "agradezco": 1.5, "agradecid*": 1.5, "estupendo": 2.5,
    # French
    "furieux": -3, "furieuse": -3, "enerve*": -2, "agace*": -2, "frustre*": -2, "decu": -2,
    "decue": -2, "decevant*": -2, "deception": -2, "inacceptable": -3, "ridicule": -2.5,
    "affreux": -3, "nul": -2, "nulle": -2, "mauvais": -1.5, "mauvaise": -1.5,
    "honteux": -3, "honte": -3, "arnaque": -3, "escroquerie": -3,
    "marre": -2.5, "mecontent*": -2, "insatisfait*": -2, "plainte": -1.5, "avocat": -2,
    "inadmissible": -3, "catastroph*": -3, "deteste": -3, "inquiet*": -1.5,
    "malheureusement": -0.5, "encore": -0.5, "toujours": -0.3, "merci": 1,
    "formidable": 3, "heureux": 2, "heureuse": 2, "adore": 2.5, "parfait*": 2.5, "utile": 1.5,
    "satisfait": 2, "satisfaite": 2, "content": 2, "contente": 2, "bon": 1.5, "bonne": 1.5,
    "rapide": 1, "aimable": 1.5, "ravi": 2.5, "ravie": 2.5,
}

# Flip (and soften) the polarity of the next few words.
NEGATORS: frozenset[str] = frozenset({
    "not", "no", "never", "nothing", "nobody", "neither", "nor", "without", "hardly",
    "nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "niemals", "nichts", "ohne",
    "nunca", "jamas", "ni", "tampoco", "nada", "sin", "nadie",
    "ne", "pas", "jamais", "rien", "aucun", "aucune", "sans", "personne",
})

# Multiply the polarity of the next word. A word here that has a polarity of its own ("super")
# counts as that word when the next word has none.
INTENSIFIERS: dict[str, float] = {
    "very": 1.5, "really": 1.4, "extremely": 1.8, "so": 1.3, "totally": 1.6,
    "absolutely": 1.7, "completely": 1.6, "incredibly": 1.8, "truly": 1.4, "too": 1.3,
    "slightly": 0.5, "somewhat": 0.6, "bit": 0.6, "little": 0.6,
    "sehr": 1.5, "extrem": 1.8, "total": 1.6, "vollig": 1.6, "absolut": 1.7, "ausserst": 1.8,
    "wirklich": 1.4, "echt": 1.4, "ziemlich": 1.2, "etwas": 0.6, "bisschen": 0.6,
    "muy": 1.5, "extremadamente": 1.8, "totalmente": 1.6, "realmente": 1.4, "super": 1.5,
    "tan": 1.3, "completamente": 1.6, "demasiado": 1.4, "poco": 0.6, "algo": 0.6,
    "tres": 1.5, "vraiment": 1.4, "extremement": 1.8, "totalement": 1.6, "completement": 1.6,
    "tellement": 1.5, "trop": 1.4, "si": 1.3, "peu": 0.6, "assez": 1.1,
}

# Urgency cues. Single words; a negated cue ("not urgent", "nicht dringend") counts as calm.
URGENT: frozenset[str] = frozenset({
    "urgent", "urgently", "asap", "immediately", "emergency", "critical", "critically",
    "outage", "down", "blocked", "blocking", "severe", "crucial", "priority", "escalate*",
    "dringend*", "sofort*", "umgehend", "notfall", "kritisch*", "ausfall", "eilt", "eilig",
    "schnellstmoglich", "blockiert", "steht", "produktiv*",
    "urgente*", "inmediat*", "emergencia", "critico*", "caido", "caida", "bloquead*",
    "prioridad", "urgencia",
    "urgence", "immediat*", "critique*", "bloque*", "panne", "prioritaire", "production",
})
DEADLINE: frozenset[str] = frozenset({
    "today", "tonight", "tomorrow", "deadline", "eod", "hours", "minutes", "monday", "friday",
    "heute", "morgen", "frist", "stunden", "minuten", "montag", "freitag", "bis",
    "hoy", "manana", "plazo", "horas", "minutos", "lunes", "viernes",
    "aujourd", "demain", "delai", "heures", "lundi", "vendredi", "echeance",
})
CALM: frozenset[str] = frozenset({
    "whenever", "convenience", "rush", "hurry", "eile", "zeit", "prisa", "pressa",
    "presse", "temps", "question", "curious", "wondering", "frage", "pregunta",
})
