"""Phrase tables for the synthetic demo tickets (data only; see ``demo_data``).

Every sentence here was written for this project, separately per language, so that the
languages differ in wording and structure instead of being one translated template.
Placeholders in braces are filled by ``demo_data``: {product} {product2} {order} {invoice}
{amount} {date} {os} {browser} {app} {plan} {error} {tracking} {customer} {count}.

Per queue a language has ``subjects`` (subject lines), ``statements`` (the core problem
sentence; one is always used) and ``details`` (optional supporting sentences).
"""

from __future__ import annotations

from typing import TypedDict


class LanguagePack(TypedDict):
    greetings: tuple[str, ...]
    closings: tuple[str, ...]
    fillers: tuple[str, ...]
    phone_prefixes: tuple[str, ...]
    reply_prefixes: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    months: tuple[str, ...]
    queues: dict[str, dict[str, tuple[str, ...]]]
    priority_prefixes: dict[str, tuple[str, ...]]
    priority_sentences: dict[str, tuple[str, ...]]
    type_sentences: dict[str, tuple[str, ...]]


# The tables are hand-packed several short phrases per line; one-per-line would triple
# the file length without making it easier to read.
# fmt: off

# Brand-like names keep sentences grammatical in every language without articles.
PRODUCTS: tuple[str, ...] = (
    "Nimbus X2", "Orbit Lamp 3", "Helio Backup", "Kestrel 27", "Tidepool T4", "Quill Pro",
    "Lumen Suite", "Brightline H7", "Cobalt S5", "Ferro One", "Atlas Desk 2", "Vega Cam HD",
    "Sable Go", "Pico Hub", "Marlin 14", "Driftwood Speaker",
)
OS_NAMES: tuple[str, ...] = (
    "Windows 11", "Windows 10", "macOS 15", "Android 15", "iOS 18", "Ubuntu 24.04", "ChromeOS",
)
BROWSERS: tuple[str, ...] = ("Chrome", "Firefox", "Edge", "Safari", "Brave")
APPS: tuple[str, ...] = ("PeopleHub", "TimeTrack", "Expensly", "DeskBook", "DocVault", "TeamWiki")
PLANS: tuple[str, ...] = ("Basic", "Plus", "Pro", "Business", "Enterprise")
ERROR_WORDS: tuple[str, ...] = (
    "SYNC_TIMEOUT", "AUTH_FAILED", "ERR_CONNECTION_RESET", "TOKEN_EXPIRED", "DISK_FULL",
)
EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "example.org", "example.net", "mail.example", "corp.example", "shop.example",
)

_EN: LanguagePack = {
    "greetings": (
        "Hello,", "Hi,", "Hi team,", "Dear Support Team,", "Hello support,", "Good morning,",
        "Hi there,", "Dear Sir or Madam,",
    ),
    "closings": (
        "Thanks,", "Thank you in advance.", "Best regards,", "Kind regards,", "Cheers,",
        "Thanks for your help!", "Regards,",
    ),
    "fillers": (
        "My customer number is {customer}.",
        "I have attached a screenshot.",
        "Sorry for the long message.",
        "I already checked your FAQ but didn't find an answer.",
        "You can reach me by phone during office hours.",
        "Writing from my phone, sorry for typos.",
    ),
    "phone_prefixes": ("Caller reports: ", "Customer called - ", "Phone note: "),
    "reply_prefixes": ("Re: ", "RE: ", "Fwd: "),
    "first_names": (
        "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Chris", "Jamie", "Robin", "Casey", "Emma",
        "Oliver", "Grace",
    ),
    "last_names": (
        "Fairbrook", "Millward", "Ashdown", "Kettering", "Holloway", "Pennick", "Marsh", "Thornby",
    ),
    "months": (
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ),
    "queues": {
        "billing": {
            "subjects": (
                "Invoice {invoice} is wrong", "Charged twice for order {order}",
                "Question about my last invoice", "Payment of {amount} not showing",
                "Billing issue - {plan} plan", "Need a copy of invoice {invoice}",
                "Why was I charged {amount}?", "Direct debit failed",
                "VAT number missing on invoice",
            ),
            "statements": (
                "I was charged {amount} twice for the same order ({order}).",
                "Invoice {invoice} shows {amount}, but my {plan} plan should cost less.",
                "The payment I made on {date} does not appear in my account.",
                "My credit card was debited {amount} although I cancelled the subscription.",
                "Our VAT ID is missing on invoice {invoice}, so accounting cannot book it.",
                "The direct debit for {date} was rejected and now the account says overdue.",
                "I can't find the invoice for {date} in the billing section of my account.",
                "Your invoice {invoice} lists a {plan} licence we never ordered.",
            ),
            "details": (
                "The bank statement shows the amount debited on {date}.",
                "Our accounting department needs the corrected invoice as a PDF.",
                "I have attached a screenshot of the bank transaction.",
                "The billing address should be our head office, not my home address.",
            ),
        },
        "technical_support": {
            "subjects": (
                "{product} not working", "Error {error} when starting {product}",
                "{product} keeps crashing on {os}", "Sync problem with {product}",
                "Can't connect {product} to wifi", "Firmware update failed",
                "{product}: strange error message", "Help with {product} setup",
            ),
            "statements": (
                "When I open {product} on {os} I get the error {error}.",
                "{product} crashes a few seconds after start-up.",
                "The firmware update for {product} stopped at 80% and now it does not boot.",
                "{product} no longer syncs, the last successful sync was on {date}.",
                "The {product} cannot connect to the wifi network, it just shows {error}.",
                "Since the last update {product} is extremely slow in {browser}.",
                "After reinstalling {product} the settings are gone and it shows {error}.",
            ),
            "details": (
                "I already restarted the device and reinstalled the app.",
                "The log file says {error} right before the crash.",
                "It happens on {os} as well as in {browser}.",
                "A factory reset did not help.",
            ),
        },
        "account_access": {
            "subjects": (
                "Can't log in", "Password reset link not arriving", "Account locked",
                "Two-factor code not accepted", "Login error {error}",
                "Locked out of my account", "SSO login fails in {browser}",
                "Need to change the e-mail on my account",
            ),
            "statements": (
                "I cannot log in, it says my password is incorrect although I just reset it.",
                "The password reset e-mail never arrives, I checked the spam folder too.",
                "My account was locked after three failed login attempts.",
                "The two-factor code from the authenticator app is always rejected.",
                "When I sign in with single sign-on in {browser} I get {error}.",
                "I got a new phone and lost access to my authenticator app.",
                "A colleague left and we need access to the account he managed.",
            ),
            "details": (
                "My username is the e-mail address I am writing from.",
                "I tried in {browser} and in a private window.",
                "The account is linked to customer number {customer}.",
                "I can still log in on my phone, only the web login fails.",
            ),
        },
        "shipping": {
            "subjects": (
                "Where is my order {order}?", "Package not delivered",
                "Tracking number {tracking} not updating", "Delivery delayed - order {order}",
                "Wrong delivery address", "Parcel marked delivered but not received",
                "Shipping costs for order {order}", "When will {product} ship?",
            ),
            "statements": (
                "My order {order} was supposed to arrive on {date} but nothing has come yet.",
                "Tracking number {tracking} has shown 'in transit' for a week.",
                "The parcel is marked as delivered, but nobody here received it.",
                "I entered the wrong delivery address for order {order}.",
                "Only half of order {order} arrived, the {product} is missing.",
                "The courier left a note but the pickup point is closed.",
                "I paid {amount} for shipping although the website said free delivery.",
            ),
            "details": (
                "Nobody rang the bell, I was at home all day.",
                "The order confirmation says standard delivery, 3-5 working days.",
                "My neighbours did not receive anything either.",
                "I need the package before {date}.",
            ),
        },
        "returns_refunds": {
            "subjects": (
                "Return for order {order}", "Refund not received", "Want to return {product}",
                "Return label missing", "Refund of {amount} still pending",
                "Damaged item - replacement or refund", "Exchange {product} for another model",
            ),
            "statements": (
                "I sent back the {product} from order {order} on {date} and got no refund yet.",
                "I would like to return the {product}, it does not fit my needs.",
                "The return label was not included in the parcel.",
                "The {product} arrived damaged and I would like a refund of {amount}.",
                "Your system says the return arrived, but the {amount} were not credited.",
                "Can I exchange the {product} for the newer model instead of a refund?",
            ),
            "details": (
                "The box is unopened and still in the original packaging.",
                "I have the receipt from the post office.",
                "The 30-day return window has not passed yet.",
                "Photos of the damage are attached.",
            ),
        },
        "product_inquiry": {
            "subjects": (
                "Question about {product}", "Is {product} compatible with {os}?",
                "Difference between {product} and {product2}", "Availability of {product}",
                "Bulk discount for {count} units?", "Does {product} work offline?",
                "Pre-sales question",
            ),
            "statements": (
                "Does the {product} work with {os}?",
                "What is the difference between the {product} and the {product2}?",
                "We want to order {count} units of {product} for our office, any volume discount?",
                "When will the {product} be back in stock?",
                "Is there a warranty extension available for the {product}?",
                "Can the {product} be used without an internet connection?",
            ),
            "details": (
                "We are a small team of about {count} people.",
                "I saw the product on your website but the specifications are unclear.",
                "A datasheet would be helpful.",
                "We would need delivery to Austria and Spain.",
            ),
        },
        "security": {
            "subjects": (
                "Suspicious login on my account", "Phishing e-mail pretending to be you",
                "Possible data breach?", "Unknown device in my account",
                "Report: vulnerability in your web app", "Someone changed my password",
                "Strange e-mail with attachment",
            ),
            "statements": (
                "I received a login notification from a country I have never been to.",
                "We got a mail that looks like your invoice but the link goes to a strange domain.",
                "There is a device I don't recognise in my account's session list.",
                "My password was changed and I did not do it.",
                "I think your customer portal leaks data: the {error} error page shows other "
                "customers' details.",
                "A colleague clicked a link in a phishing mail and entered his credentials.",
                "Our API key may have been published in a public repository by mistake.",
            ),
            "details": (
                "I have already changed my password and logged out all sessions.",
                "The sender address was very similar to yours.",
                "Please check whether any data was accessed.",
                "I have not clicked on anything.",
            ),
        },
        "hr_it_internal": {
            "subjects": (
                "New laptop for new hire", "VPN not connecting from home",
                "Access to {app} needed", "Onboarding: accounts for new colleague",
                "Printer on 2nd floor broken", "Payslip not visible in {app}",
                "Offboarding for team member", "Request: second monitor",
            ),
            "statements": (
                "A new colleague starts on {date} and needs a laptop and access to {app}.",
                "I cannot connect to the VPN from home, it fails with {error}.",
                "I need access to the {app} folder for the finance project.",
                "The printer on the second floor only prints blank pages.",
                "My payslip for last month is not visible in {app}.",
                "A team member leaves on {date}, please disable her accounts and collect the "
                "laptop.",
                "My holiday request in {app} has been stuck in 'pending' for days.",
            ),
            "details": (
                "My manager has already approved this.",
                "Cost centre is CC-{count}40.",
                "I work from home on Mondays and Fridays.",
                "This is for the marketing team.",
            ),
        },
    },
    "priority_prefixes": {
        "high": ("URGENT: ", "Urgent - ", "ASAP: ", "[CRITICAL] ", "!!! "),
        "medium": (),
        "low": ("Question: ", "FYI: ", "Small thing: "),
    },
    "priority_sentences": {
        "high": (
            "This is urgent, our production system is down!",
            "All users in our company are affected.",
            "We have a hard deadline today at 5 pm.",
            "Please help immediately, we are losing sales every minute!",
            "The whole team is blocked and cannot work.",
            "Please treat this as top priority!!",
            "Our customers are already complaining.",
        ),
        "medium": (
            "It would be good to get this sorted this week.",
            "A few colleagues are affected, but there is a workaround.",
            "Not critical, but it is quite annoying.",
            "Could you please look into it in the next days?",
            "Please get back to me when you can, ideally before the end of the week.",
        ),
        "low": (
            "No rush, whenever you have time.",
            "This is not urgent at all.",
            "Just a small thing, low priority.",
            "Only I am affected and it's not blocking anything.",
            "Just asking for future reference.",
        ),
    },
    "type_sentences": {
        "incident": (
            "It stopped working this morning.",
            "Since yesterday it is simply broken.",
            "This worked fine until {date}.",
            "Right now nothing works.",
        ),
        "request": (
            "Could you please send me the details?",
            "Please add this for me.",
            "I would like to request this, thanks.",
            "Can you let me know how to proceed?",
            "Please provide more information.",
        ),
        "problem": (
            "This keeps happening again and again.",
            "It's the third time this month.",
            "The same issue came back after your last fix.",
            "It happens every few days, there must be a root cause.",
        ),
        "change": (
            "Please change this in my account.",
            "I would like to update my settings accordingly.",
            "Please switch me to the {plan} plan.",
            "Could you modify the existing configuration?",
            "Please update the details you have on file.",
        ),
    },
}

_DE: LanguagePack = {
    "greetings": (
        "Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo zusammen,",
        "Liebes Support-Team,", "Moin,", "Hallo Support,",
    ),
    "closings": (
        "Danke und viele Grüße", "Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße",
        "Vielen Dank im Voraus!", "Gruß", "LG",
    ),
    "fillers": (
        "Meine Kundennummer lautet {customer}.",
        "Einen Screenshot habe ich angehängt.",
        "Die FAQ habe ich schon durchgelesen, leider ohne Erfolg.",
        "Tagsüber bin ich telefonisch erreichbar.",
        "Sorry für die lange Nachricht.",
        "Schreibe vom Handy, bitte Tippfehler entschuldigen.",
    ),
    "phone_prefixes": ("Anrufer meldet: ", "Telefonnotiz: ", "Kunde hat angerufen - "),
    "reply_prefixes": ("AW: ", "Aw: ", "WG: "),
    "first_names": (
        "Lena", "Jonas", "Anna", "Felix", "Miriam", "Tobias", "Katrin", "Stefan", "Jana", "Paul",
    ),
    "last_names": (
        "Brandtner", "Kühlmann", "Hoffmeister", "Wendler", "Ostrowski", "Feldhaus", "Lindner",
        "Grabow",
    ),
    "months": (
        "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
        "Oktober", "November", "Dezember",
    ),
    "queues": {
        "billing": {
            "subjects": (
                "Rechnung {invoice} fehlerhaft", "Doppelte Abbuchung für Bestellung {order}",
                "Frage zur letzten Rechnung", "Zahlung über {amount} nicht verbucht",
                "Problem mit der Abrechnung ({plan}-Tarif)", "Bitte Rechnungskopie {invoice}",
                "Warum wurden {amount} abgebucht?", "Lastschrift fehlgeschlagen",
                "USt-IdNr. fehlt auf der Rechnung",
            ),
            "statements": (
                "Mir wurden für dieselbe Bestellung ({order}) zweimal {amount} abgebucht.",
                "Auf Rechnung {invoice} stehen {amount}, obwohl unser {plan}-Tarif billiger ist.",
                "Meine Zahlung vom {date} taucht in meinem Kundenkonto nicht auf.",
                "Trotz Kündigung des Abos wurden {amount} von meiner Kreditkarte eingezogen.",
                "Auf Rechnung {invoice} fehlt unsere USt-IdNr., so kann die Buchhaltung nicht "
                "buchen.",
                "Die Lastschrift zum {date} ist geplatzt und jetzt steht das Konto auf überfällig.",
                "Im Rechnungsbereich finde ich die Rechnung vom {date} nicht.",
                "Auf Rechnung {invoice} steht eine {plan}-Lizenz, die wir nie bestellt haben.",
            ),
            "details": (
                "Laut Kontoauszug wurde der Betrag am {date} abgebucht.",
                "Unsere Buchhaltung braucht die korrigierte Rechnung als PDF.",
                "Einen Screenshot der Kontobewegung habe ich beigefügt.",
                "Rechnungsadresse soll unser Hauptsitz sein, nicht meine Privatadresse.",
            ),
        },
        "technical_support": {
            "subjects": (
                "{product} funktioniert nicht", "Fehler {error} beim Start von {product}",
                "{product} stürzt unter {os} ständig ab", "Synchronisation mit {product} hakt",
                "{product} verbindet sich nicht mit dem WLAN", "Firmware-Update fehlgeschlagen",
                "Komische Fehlermeldung bei {product}", "Hilfe bei Einrichtung von {product}",
            ),
            "statements": (
                "Wenn ich {product} unter {os} öffne, erscheint der Fehler {error}.",
                "{product} stürzt wenige Sekunden nach dem Start ab.",
                "Das Firmware-Update für {product} hing bei 80 %, seitdem startet nichts mehr.",
                "{product} synchronisiert nicht mehr, zuletzt hat es am {date} geklappt.",
                "{product} findet das WLAN nicht und zeigt nur {error} an.",
                "Seit dem letzten Update ist {product} in {browser} extrem langsam.",
                "Nach der Neuinstallation von {product} sind die Einstellungen weg, dazu {error}.",
            ),
            "details": (
                "Neustart und Neuinstallation habe ich schon probiert.",
                "In der Logdatei steht kurz vor dem Absturz {error}.",
                "Das passiert sowohl unter {os} als auch in {browser}.",
                "Auch das Zurücksetzen auf Werkseinstellungen hat nichts gebracht.",
            ),
        },
        "account_access": {
            "subjects": (
                "Login nicht möglich", "Keine Mail zum Passwort-Zurücksetzen", "Konto gesperrt",
                "2FA-Code wird nicht akzeptiert", "Fehler {error} bei der Anmeldung",
                "Ich komme nicht mehr in mein Konto", "SSO-Anmeldung in {browser} schlägt fehl",
                "E-Mail-Adresse im Konto ändern",
            ),
            "statements": (
                "Ich kann mich nicht einloggen, angeblich ist das Passwort falsch, obwohl ich es "
                "gerade zurückgesetzt habe.",
                "Die Mail zum Zurücksetzen des Passworts kommt nie an, auch nicht im Spam.",
                "Nach drei Fehlversuchen wurde mein Konto gesperrt.",
                "Der Code aus der Authenticator-App wird jedes Mal abgelehnt.",
                "Bei der Anmeldung per Single Sign-on in {browser} bekomme ich {error}.",
                "Ich habe ein neues Handy und keinen Zugriff mehr auf die Authenticator-App.",
                "Ein Kollege ist ausgeschieden, wir brauchen Zugang zu dem Konto, das er "
                "verwaltet hat.",
            ),
            "details": (
                "Mein Benutzername ist die Adresse, von der ich schreibe.",
                "Ich habe es in {browser} und im privaten Fenster versucht.",
                "Das Konto gehört zur Kundennummer {customer}.",
                "Am Handy klappt die Anmeldung noch, nur im Browser nicht.",
            ),
        },
        "shipping": {
            "subjects": (
                "Wo bleibt meine Bestellung {order}?", "Paket nicht angekommen",
                "Sendungsverfolgung {tracking} aktualisiert sich nicht",
                "Lieferverzögerung Bestellung {order}", "Falsche Lieferadresse angegeben",
                "Paket als zugestellt markiert, aber nicht erhalten",
                "Versandkosten bei Bestellung {order}", "Wann wird {product} verschickt?",
            ),
            "statements": (
                "Meine Bestellung {order} sollte am {date} ankommen, bisher ist nichts da.",
                "Die Sendungsnummer {tracking} steht seit einer Woche auf „unterwegs“.",
                "Das Paket gilt als zugestellt, hier hat es aber niemand bekommen.",
                "Bei Bestellung {order} habe ich mich bei der Lieferadresse vertippt.",
                "Von Bestellung {order} kam nur die Hälfte, {product} fehlt.",
                "Der Paketdienst hat eine Karte eingeworfen, aber die Filiale hat zu.",
                "Mir wurden {amount} Versand berechnet, obwohl kostenloser Versand angegeben war.",
            ),
            "details": (
                "Es hat niemand geklingelt, ich war den ganzen Tag zu Hause.",
                "Laut Bestellbestätigung Standardversand, 3-5 Werktage.",
                "Auch bei den Nachbarn wurde nichts abgegeben.",
                "Ich brauche das Paket spätestens am {date}.",
            ),
        },
        "returns_refunds": {
            "subjects": (
                "Rücksendung Bestellung {order}", "Erstattung noch nicht erhalten",
                "{product} zurückgeben", "Retourenschein fehlt",
                "Rückerstattung über {amount} ausstehend",
                "Ware beschädigt - Ersatz oder Geld zurück", "{product} umtauschen",
            ),
            "statements": (
                "Ich habe {product} aus Bestellung {order} am {date} zurückgeschickt, das Geld "
                "ist aber noch nicht da.",
                "Ich möchte {product} zurückgeben, es passt leider nicht zu meinen Anforderungen.",
                "Im Paket lag kein Retourenschein.",
                "{product} kam beschädigt an, ich hätte gerne die {amount} zurück.",
                "Laut Ihrem System ist die Retoure da, die {amount} wurden aber nicht "
                "gutgeschrieben.",
                "Kann ich {product} gegen das neuere Modell tauschen statt Geld zurück?",
            ),
            "details": (
                "Der Karton ist ungeöffnet und originalverpackt.",
                "Den Einlieferungsbeleg der Post habe ich noch.",
                "Die 30-tägige Rückgabefrist ist noch nicht abgelaufen.",
                "Fotos vom Schaden hänge ich an.",
            ),
        },
        "product_inquiry": {
            "subjects": (
                "Frage zu {product}", "Ist {product} mit {os} kompatibel?",
                "Unterschied zwischen {product} und {product2}", "Verfügbarkeit von {product}",
                "Mengenrabatt bei {count} Stück?", "Funktioniert {product} auch offline?",
                "Frage vor dem Kauf",
            ),
            "statements": (
                "Funktioniert {product} mit {os}?",
                "Was ist eigentlich der Unterschied zwischen {product} und {product2}?",
                "Wir überlegen, {count} Stück {product} fürs Büro zu bestellen - gibt es Rabatt?",
                "Wann ist {product} wieder lieferbar?",
                "Kann man die Garantie für {product} verlängern?",
                "Lässt sich {product} auch ohne Internetverbindung nutzen?",
            ),
            "details": (
                "Wir sind ein kleines Team mit etwa {count} Leuten.",
                "Auf der Website sind die technischen Daten leider unklar.",
                "Ein Datenblatt wäre hilfreich.",
                "Die Lieferung müsste nach Österreich und in die Schweiz gehen.",
            ),
        },
        "security": {
            "subjects": (
                "Verdächtige Anmeldung in meinem Konto", "Phishing-Mail in Ihrem Namen",
                "Mögliches Datenleck?", "Unbekanntes Gerät im Konto",
                "Sicherheitslücke im Kundenportal gefunden", "Jemand hat mein Passwort geändert",
                "Seltsame E-Mail mit Anhang",
            ),
            "statements": (
                "Ich habe eine Anmeldewarnung aus einem Land bekommen, in dem ich nie war.",
                "Wir haben eine Mail wie Ihre Rechnung bekommen, der Link führt aber auf eine "
                "fremde Domain.",
                "In der Sitzungsliste meines Kontos taucht ein Gerät auf, das ich nicht kenne.",
                "Mein Passwort wurde geändert, und zwar nicht von mir.",
                "Im Kundenportal gibt es wohl eine Lücke: die Fehlerseite {error} zeigt Daten "
                "anderer Kunden.",
                "Ein Kollege hat auf einen Link in einer Phishing-Mail geklickt und seine "
                "Zugangsdaten eingegeben.",
                "Unser API-Schlüssel ist versehentlich in einem öffentlichen Repository gelandet.",
            ),
            "details": (
                "Ich habe mein Passwort schon geändert und alle Sitzungen abgemeldet.",
                "Die Absenderadresse sah Ihrer zum Verwechseln ähnlich.",
                "Bitte prüfen Sie, ob auf Daten zugegriffen wurde.",
                "Ich habe nichts angeklickt.",
            ),
        },
        "hr_it_internal": {
            "subjects": (
                "Laptop für neuen Mitarbeiter", "VPN verbindet sich nicht im Homeoffice",
                "Zugriff auf {app} benötigt", "Onboarding: Zugänge für neue Kollegin",
                "Drucker im 2. OG defekt", "Gehaltsabrechnung in {app} nicht sichtbar",
                "Offboarding Teammitglied", "Bitte um zweiten Monitor",
            ),
            "statements": (
                "Am {date} fängt eine neue Kollegin an, sie braucht Laptop und Zugriff auf {app}.",
                "Von zu Hause komme ich nicht ins VPN, es kommt Fehler {error}.",
                "Ich brauche Zugriff auf den {app}-Ordner für das Finanzprojekt.",
                "Der Drucker im zweiten Stock druckt nur leere Seiten.",
                "Meine Gehaltsabrechnung vom letzten Monat wird in {app} nicht angezeigt.",
                "Ein Teammitglied geht am {date}, bitte Zugänge sperren und Laptop einsammeln.",
                "Mein Urlaubsantrag in {app} hängt seit Tagen auf „ausstehend“.",
            ),
            "details": (
                "Meine Führungskraft hat schon zugestimmt.",
                "Kostenstelle: CC-{count}40.",
                "Montags und freitags arbeite ich im Homeoffice.",
                "Es geht um das Marketing-Team.",
            ),
        },
    },
    "priority_prefixes": {
        "high": ("DRINGEND: ", "Dringend - ", "EILT: ", "[KRITISCH] ", "Sofort: "),
        "medium": (),
        "low": ("Kurze Frage: ", "Info: ", "Kleinigkeit: "),
    },
    "priority_sentences": {
        "high": (
            "Das ist dringend, unser Produktivsystem steht!",
            "Alle Nutzer im Unternehmen sind betroffen.",
            "Wir haben heute um 17 Uhr eine harte Deadline.",
            "Bitte sofort helfen, wir verlieren jede Minute Umsatz!",
            "Das ganze Team ist blockiert und kann nicht arbeiten.",
            "Bitte mit höchster Priorität behandeln!!",
            "Unsere Kunden beschweren sich bereits.",
        ),
        "medium": (
            "Wäre gut, wenn das diese Woche noch geklärt werden könnte.",
            "Ein paar Kollegen sind betroffen, es gibt aber einen Workaround.",
            "Nicht kritisch, aber ziemlich lästig.",
            "Könnten Sie sich das in den nächsten Tagen ansehen?",
            "Melden Sie sich bitte, sobald es geht, idealerweise vor Ende der Woche.",
        ),
        "low": (
            "Keine Eile, wann immer Sie Zeit haben.",
            "Das ist überhaupt nicht dringend.",
            "Nur eine Kleinigkeit, niedrige Priorität.",
            "Betrifft nur mich und blockiert nichts.",
            "Frage nur für die Zukunft.",
        ),
    },
    "type_sentences": {
        "incident": (
            "Seit heute Morgen geht gar nichts mehr.",
            "Seit gestern ist es einfach kaputt.",
            "Bis zum {date} hat alles funktioniert.",
            "Im Moment funktioniert nichts.",
        ),
        "request": (
            "Könnten Sie mir bitte die Details schicken?",
            "Bitte richten Sie das für mich ein.",
            "Ich möchte das hiermit beantragen, danke.",
            "Wie gehe ich am besten vor?",
            "Bitte um weitere Informationen.",
        ),
        "problem": (
            "Das passiert immer wieder.",
            "Das ist schon das dritte Mal diesen Monat.",
            "Nach Ihrem letzten Fix ist der Fehler wieder aufgetreten.",
            "Alle paar Tage tritt es erneut auf, da muss es eine Ursache geben.",
        ),
        "change": (
            "Bitte ändern Sie das in meinem Konto.",
            "Ich möchte meine Einstellungen entsprechend anpassen lassen.",
            "Bitte stellen Sie mich auf den {plan}-Tarif um.",
            "Könnten Sie die bestehende Konfiguration ändern?",
            "Bitte aktualisieren Sie die hinterlegten Daten.",
        ),
    },
}

_ES: LanguagePack = {
    "greetings": (
        "Hola,", "Buenos días,", "Estimado equipo de soporte:", "Hola equipo,",
        "Buenas tardes,", "A quien corresponda:", "Hola, ¿qué tal?",
    ),
    "closings": (
        "Gracias,", "Un saludo,", "Saludos cordiales,", "Muchas gracias de antemano.",
        "Atentamente,", "Quedo atento a su respuesta.", "¡Gracias por la ayuda!",
    ),
    "fillers": (
        "Mi número de cliente es {customer}.",
        "Adjunto una captura de pantalla.",
        "Ya revisé las preguntas frecuentes pero no encontré nada.",
        "Pueden llamarme en horario de oficina.",
        "Perdón por el mensaje tan largo.",
        "Escribo desde el móvil, perdón por las erratas.",
    ),
    "phone_prefixes": ("Llamada del cliente: ", "Nota telefónica: ", "El cliente llamó - "),
    "reply_prefixes": ("RE: ", "Re: ", "RV: "),
    "first_names": (
        "Lucía", "Javier", "Marta", "Diego", "Carmen", "Pablo", "Elena", "Sergio", "Irene", "Raúl",
    ),
    "last_names": (
        "Arbeloa", "Quintana", "Villalba", "Montoya", "Serrano", "Caballero", "Iglesias",
        "Robledo",
    ),
    "months": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre",
    ),
    "queues": {
        "billing": {
            "subjects": (
                "Factura {invoice} incorrecta", "Cobro duplicado del pedido {order}",
                "Duda sobre mi última factura", "Pago de {amount} no registrado",
                "Problema de facturación (plan {plan})", "Solicito copia de la factura {invoice}",
                "¿Por qué me cobraron {amount}?", "Fallo en la domiciliación bancaria",
                "Falta el NIF en la factura",
            ),
            "statements": (
                "Me han cobrado {amount} dos veces por el mismo pedido ({order}).",
                "En la factura {invoice} aparecen {amount}, pero mi plan {plan} es más barato.",
                "El pago que hice el {date} no aparece en mi cuenta.",
                "Me cargaron {amount} en la tarjeta aunque ya había cancelado la suscripción.",
                "En la factura {invoice} falta nuestro NIF y contabilidad no la puede registrar.",
                "La domiciliación del {date} fue rechazada y ahora la cuenta figura como impagada.",
                "No encuentro la factura del {date} en la sección de facturación.",
                "La factura {invoice} incluye una licencia {plan} que nunca pedimos.",
            ),
            "details": (
                "En el extracto del banco se ve el cargo del {date}.",
                "Nuestro departamento de contabilidad necesita la factura corregida en PDF.",
                "Adjunto una captura del movimiento bancario.",
                "La dirección de facturación debería ser la de la oficina central, no la mía.",
            ),
        },
        "technical_support": {
            "subjects": (
                "{product} no funciona", "Error {error} al abrir {product}",
                "{product} se cierra solo en {os}", "{product} no sincroniza",
                "{product} no se conecta al wifi", "Falló la actualización del firmware",
                "Mensaje de error raro en {product}", "Ayuda para configurar {product}",
            ),
            "statements": (
                "Cuando abro {product} en {os} me sale el error {error}.",
                "{product} se cierra a los pocos segundos de arrancar.",
                "La actualización de firmware de {product} se quedó en el 80 % y ya no arranca.",
                "{product} ya no sincroniza; la última vez que funcionó fue el {date}.",
                "{product} no consigue conectarse al wifi, solo muestra {error}.",
                "Desde la última actualización {product} va lentísimo en {browser}.",
                "Al reinstalar {product} se perdió la configuración y aparece el error {error}.",
            ),
            "details": (
                "Ya reinicié el equipo y reinstalé la aplicación.",
                "En el registro aparece {error} justo antes del cierre.",
                "Pasa tanto en {os} como en {browser}.",
                "Restablecer los valores de fábrica no sirvió de nada.",
            ),
        },
        "account_access": {
            "subjects": (
                "No puedo iniciar sesión", "No me llega el enlace para cambiar la contraseña",
                "Cuenta bloqueada", "El código de verificación no funciona",
                "Error {error} al entrar", "Me quedé fuera de mi cuenta",
                "Fallo de inicio de sesión SSO en {browser}", "Cambiar el correo de mi cuenta",
            ),
            "statements": (
                "No puedo entrar en mi cuenta: dice que la contraseña es incorrecta aunque la "
                "acabo de cambiar.",
                "El correo para restablecer la contraseña nunca llega, ya miré en spam.",
                "Mi cuenta se bloqueó después de tres intentos fallidos.",
                "El código de la app de autenticación siempre me lo rechaza.",
                "Al iniciar sesión con SSO en {browser} me sale {error}.",
                "Cambié de móvil y ya no tengo acceso a la app de autenticación.",
                "Un compañero dejó la empresa y necesitamos acceder a la cuenta que gestionaba.",
            ),
            "details": (
                "Mi usuario es la dirección desde la que escribo.",
                "Lo probé en {browser} y en modo incógnito.",
                "La cuenta está asociada al número de cliente {customer}.",
                "Desde el móvil sí puedo entrar, solo falla la web.",
            ),
        },
        "shipping": {
            "subjects": (
                "¿Dónde está mi pedido {order}?", "Paquete no entregado",
                "El seguimiento {tracking} no se actualiza", "Retraso en el pedido {order}",
                "Dirección de entrega equivocada", "Figura como entregado pero no lo he recibido",
                "Gastos de envío del pedido {order}", "¿Cuándo enviarán {product}?",
            ),
            "statements": (
                "Mi pedido {order} tenía que llegar el {date} y todavía no ha llegado nada.",
                "El número de seguimiento {tracking} lleva una semana en «en tránsito».",
                "El paquete aparece como entregado, pero aquí nadie lo ha recibido.",
                "Puse mal la dirección de entrega en el pedido {order}.",
                "Del pedido {order} solo llegó la mitad, falta {product}.",
                "El repartidor dejó un aviso pero el punto de recogida está cerrado.",
                "Me cobraron {amount} de envío aunque la web decía envío gratis.",
            ),
            "details": (
                "Nadie llamó al timbre y estuve en casa todo el día.",
                "En la confirmación pone envío estándar, de 3 a 5 días laborables.",
                "Los vecinos tampoco recibieron nada.",
                "Necesito el paquete antes del {date}.",
            ),
        },
        "returns_refunds": {
            "subjects": (
                "Devolución del pedido {order}", "No he recibido el reembolso",
                "Quiero devolver {product}", "Falta la etiqueta de devolución",
                "Reembolso de {amount} pendiente", "Artículo dañado: cambio o reembolso",
                "Cambiar {product} por otro modelo",
            ),
            "statements": (
                "Devolví {product} del pedido {order} el {date} y todavía no me han devuelto "
                "el dinero.",
                "Quiero devolver {product}, no se ajusta a lo que necesito.",
                "En el paquete no venía la etiqueta de devolución.",
                "{product} llegó roto y quisiera el reembolso de {amount}.",
                "Según su sistema la devolución ya llegó, pero los {amount} no se han abonado.",
                "¿Puedo cambiar {product} por el modelo nuevo en lugar de pedir el reembolso?",
            ),
            "details": (
                "La caja está sin abrir y con el embalaje original.",
                "Tengo el resguardo de la oficina de correos.",
                "Aún estoy dentro del plazo de 30 días.",
                "Adjunto fotos de los daños.",
            ),
        },
        "product_inquiry": {
            "subjects": (
                "Consulta sobre {product}", "¿{product} es compatible con {os}?",
                "Diferencia entre {product} y {product2}", "Disponibilidad de {product}",
                "¿Descuento por {count} unidades?", "¿{product} funciona sin conexión?",
                "Pregunta antes de comprar",
            ),
            "statements": (
                "¿{product} funciona con {os}?",
                "¿Qué diferencia hay entre {product} y {product2}?",
                "Queremos pedir {count} unidades de {product} para la oficina, ¿hay descuento?",
                "¿Cuándo volverá a estar disponible {product}?",
                "¿Se puede ampliar la garantía de {product}?",
                "¿Se puede usar {product} sin conexión a internet?",
            ),
            "details": (
                "Somos un equipo pequeño de unas {count} personas.",
                "Vi el producto en su web pero las especificaciones no están claras.",
                "Me vendría bien una ficha técnica.",
                "Necesitaríamos envío a Portugal y a Francia.",
            ),
        },
        "security": {
            "subjects": (
                "Inicio de sesión sospechoso en mi cuenta",
                "Correo de phishing haciéndose pasar por ustedes", "¿Posible fuga de datos?",
                "Dispositivo desconocido en mi cuenta", "Vulnerabilidad en su portal",
                "Alguien cambió mi contraseña", "Correo extraño con adjunto",
            ),
            "statements": (
                "Recibí un aviso de inicio de sesión desde un país en el que nunca he estado.",
                "Nos llegó un correo que parece una factura suya, pero el enlace lleva a un "
                "dominio raro.",
                "En la lista de sesiones de mi cuenta aparece un dispositivo que no reconozco.",
                "Me cambiaron la contraseña y no fui yo.",
                "Creo que su portal filtra datos: la página de error {error} muestra datos de "
                "otros clientes.",
                "Un compañero hizo clic en un enlace de phishing e introdujo sus credenciales.",
                "Puede que nuestra clave de API se publicara por error en un repositorio público.",
            ),
            "details": (
                "Ya cambié la contraseña y cerré todas las sesiones.",
                "La dirección del remitente era casi igual a la suya.",
                "Por favor, comprueben si alguien accedió a los datos.",
                "No he hecho clic en nada.",
            ),
        },
        "hr_it_internal": {
            "subjects": (
                "Portátil para nueva incorporación", "La VPN no conecta desde casa",
                "Necesito acceso a {app}", "Alta de cuentas para un compañero nuevo",
                "Impresora de la 2.ª planta averiada", "No veo mi nómina en {app}",
                "Baja de un miembro del equipo", "Solicitud de un segundo monitor",
            ),
            "statements": (
                "El {date} empieza una compañera nueva y necesita portátil y acceso a {app}.",
                "Desde casa no consigo conectarme a la VPN, da el error {error}.",
                "Necesito acceso a la carpeta de {app} para el proyecto de finanzas.",
                "La impresora de la segunda planta solo imprime hojas en blanco.",
                "Mi nómina del mes pasado no aparece en {app}.",
                "Un compañero se va el {date}; desactivad sus cuentas y recoged el portátil.",
                "Mi solicitud de vacaciones en {app} lleva días en «pendiente».",
            ),
            "details": (
                "Mi responsable ya lo ha aprobado.",
                "Centro de coste: CC-{count}40.",
                "Los lunes y viernes teletrabajo.",
                "Es para el equipo de marketing.",
            ),
        },
    },
    "priority_prefixes": {
        "high": ("URGENTE: ", "Urgente - ", "¡URGENTE! ", "[CRÍTICO] "),
        "medium": (),
        "low": ("Consulta rápida: ", "Info: ", "Pequeña duda: "),
    },
    "priority_sentences": {
        "high": (
            "¡Es urgente, nuestro sistema de producción está caído!",
            "Afecta a todos los usuarios de la empresa.",
            "Tenemos una fecha límite hoy a las 17:00.",
            "¡Ayuda inmediata por favor, estamos perdiendo ventas cada minuto!",
            "Todo el equipo está bloqueado y no puede trabajar.",
            "¡¡Por favor, trátenlo con máxima prioridad!!",
            "Nuestros clientes ya se están quejando.",
        ),
        "medium": (
            "Estaría bien resolverlo esta semana.",
            "Afecta a algunos compañeros, pero hay una solución provisional.",
            "No es crítico, pero resulta bastante molesto.",
            "¿Podrían revisarlo en los próximos días?",
            "Respondan cuando puedan, idealmente antes del viernes.",
        ),
        "low": (
            "Sin prisa, cuando tengan tiempo.",
            "No es nada urgente.",
            "Es una tontería, prioridad baja.",
            "Solo me afecta a mí y no bloquea nada.",
            "Pregunto solo para el futuro.",
        ),
    },
    "type_sentences": {
        "incident": (
            "Desde esta mañana no funciona nada.",
            "Desde ayer está directamente roto.",
            "Hasta el {date} todo funcionaba bien.",
            "Ahora mismo no funciona.",
        ),
        "request": (
            "¿Me podrían enviar los detalles?",
            "Por favor, añádanlo a mi cuenta.",
            "Quisiera solicitarlo, gracias.",
            "¿Cómo debo proceder?",
            "Les pido más información, por favor.",
        ),
        "problem": (
            "Esto pasa una y otra vez.",
            "Ya es la tercera vez este mes.",
            "Después de su último arreglo el fallo ha vuelto.",
            "Se repite cada pocos días, debe de haber una causa de fondo.",
        ),
        "change": (
            "Por favor, cámbienlo en mi cuenta.",
            "Quisiera modificar la configuración en ese sentido.",
            "Por favor, pásenme al plan {plan}.",
            "¿Podrían modificar la configuración actual?",
            "Por favor, actualicen los datos que tienen registrados.",
        ),
    },
}

_FR: LanguagePack = {
    "greetings": (
        "Bonjour,", "Bonjour à tous,", "Madame, Monsieur,", "Bonjour l'équipe support,",
        "Bonsoir,", "Salut,", "Chère équipe,",
    ),
    "closings": (
        "Merci,", "Cordialement,", "Bien cordialement,", "Merci d'avance.", "Bonne journée,",
        "Dans l'attente de votre retour,", "Merci pour votre aide !",
    ),
    "fillers": (
        "Mon numéro client est {customer}.",
        "Je joins une capture d'écran.",
        "J'ai déjà consulté la FAQ, sans succès.",
        "Vous pouvez me joindre par téléphone aux heures de bureau.",
        "Désolé pour ce long message.",
        "J'écris depuis mon téléphone, pardon pour les fautes.",
    ),
    "phone_prefixes": ("Appel client : ", "Note téléphonique : ", "Le client a appelé - "),
    "reply_prefixes": ("RE : ", "Re: ", "TR : "),
    "first_names": (
        "Camille", "Julien", "Chloé", "Mathieu", "Léa", "Nicolas", "Manon", "Antoine", "Inès",
        "Hugo",
    ),
    "last_names": (
        "Duvernoy", "Marchand", "Lefort", "Beaulieu", "Garnier", "Roussel", "Chevalier", "Perrin",
    ),
    "months": (
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ),
    "queues": {
        "billing": {
            "subjects": (
                "Facture {invoice} erronée", "Double prélèvement pour la commande {order}",
                "Question sur ma dernière facture", "Paiement de {amount} non pris en compte",
                "Problème de facturation (offre {plan})", "Duplicata de la facture {invoice}",
                "Pourquoi ai-je été débité de {amount} ?", "Échec du prélèvement SEPA",
                "Numéro de TVA absent de la facture",
            ),
            "statements": (
                "J'ai été débité deux fois de {amount} pour la même commande ({order}).",
                "La facture {invoice} indique {amount}, alors que l'offre {plan} coûte moins cher.",
                "Le paiement effectué le {date} n'apparaît pas dans mon espace client.",
                "Ma carte a été débitée de {amount} alors que j'avais résilié l'abonnement.",
                "Notre numéro de TVA manque sur la facture {invoice}, la comptabilité ne peut "
                "pas l'enregistrer.",
                "Le prélèvement du {date} a été rejeté et le compte est maintenant en impayé.",
                "Je ne trouve pas la facture du {date} dans la rubrique facturation.",
                "La facture {invoice} mentionne une licence {plan} jamais commandée.",
            ),
            "details": (
                "Le relevé bancaire montre le débit du {date}.",
                "Notre service comptable a besoin de la facture corrigée en PDF.",
                "Je joins une capture de l'opération bancaire.",
                "L'adresse de facturation doit être celle du siège, pas la mienne.",
            ),
        },
        "technical_support": {
            "subjects": (
                "{product} ne fonctionne pas", "Erreur {error} au démarrage de {product}",
                "{product} plante sans arrêt sous {os}", "Souci de synchro avec {product}",
                "{product} ne se connecte pas au wifi", "Échec de la mise à jour du firmware",
                "Message d'erreur bizarre sur {product}", "Aide pour configurer {product}",
            ),
            "statements": (
                "Quand j'ouvre {product} sous {os}, j'obtiens l'erreur {error}.",
                "{product} plante quelques secondes après le démarrage.",
                "La mise à jour du firmware de {product} a bloqué à 80 % et il ne démarre plus.",
                "{product} ne se synchronise plus, la dernière synchro réussie date du {date}.",
                "{product} n'arrive pas à se connecter au wifi, il affiche juste {error}.",
                "Depuis la dernière mise à jour, {product} est très lent dans {browser}.",
                "Après réinstallation de {product}, les réglages ont disparu et j'ai {error}.",
            ),
            "details": (
                "J'ai déjà redémarré l'appareil et réinstallé l'application.",
                "Le journal indique {error} juste avant le plantage.",
                "Cela se produit sous {os} comme dans {browser}.",
                "La réinitialisation d'usine n'a rien changé.",
            ),
        },
        "account_access": {
            "subjects": (
                "Impossible de me connecter", "Le lien de réinitialisation n'arrive pas",
                "Compte bloqué", "Code de double authentification refusé",
                "Erreur {error} à la connexion", "Je n'ai plus accès à mon compte",
                "Connexion SSO impossible dans {browser}", "Modifier l'adresse e-mail du compte",
            ),
            "statements": (
                "Je n'arrive pas à me connecter : le mot de passe serait faux alors que je "
                "viens de le réinitialiser.",
                "L'e-mail de réinitialisation du mot de passe n'arrive jamais, même en spam.",
                "Mon compte a été bloqué après trois tentatives de connexion échouées.",
                "Le code de l'application d'authentification est systématiquement refusé.",
                "Lors de la connexion SSO dans {browser}, j'obtiens {error}.",
                "J'ai changé de téléphone et je n'ai plus accès à mon appli d'authentification.",
                "Un collègue a quitté l'entreprise et nous devons accéder au compte qu'il gérait.",
            ),
            "details": (
                "Mon identifiant est l'adresse depuis laquelle j'écris.",
                "J'ai essayé dans {browser} et en navigation privée.",
                "Le compte est rattaché au numéro client {customer}.",
                "Sur mon téléphone ça marche encore, seulement pas sur le site.",
            ),
        },
        "shipping": {
            "subjects": (
                "Où en est ma commande {order} ?", "Colis non livré",
                "Le suivi {tracking} ne bouge plus", "Retard de livraison - commande {order}",
                "Erreur dans l'adresse de livraison", "Colis indiqué livré mais jamais reçu",
                "Frais de port sur la commande {order}", "Quand {product} sera-t-il expédié ?",
            ),
            "statements": (
                "Ma commande {order} devait arriver le {date}, mais je n'ai toujours rien reçu.",
                "Le suivi {tracking} affiche « en cours d'acheminement » depuis une semaine.",
                "Le colis est indiqué comme livré, mais personne ici ne l'a reçu.",
                "Je me suis trompé d'adresse de livraison pour la commande {order}.",
                "Seule la moitié de la commande {order} est arrivée, il manque {product}.",
                "Le livreur a laissé un avis de passage mais le point relais est fermé.",
                "On m'a facturé {amount} de frais de port alors que la livraison était gratuite.",
            ),
            "details": (
                "Personne n'a sonné, j'étais chez moi toute la journée.",
                "La confirmation indique une livraison standard en 3 à 5 jours ouvrés.",
                "Les voisins n'ont rien reçu non plus.",
                "J'ai besoin du colis avant le {date}.",
            ),
        },
        "returns_refunds": {
            "subjects": (
                "Retour de la commande {order}", "Remboursement non reçu",
                "Je souhaite retourner {product}", "Étiquette de retour manquante",
                "Remboursement de {amount} en attente",
                "Article endommagé - échange ou remboursement",
                "Échanger {product} contre un autre modèle",
            ),
            "statements": (
                "J'ai renvoyé {product} de la commande {order} le {date} et je n'ai toujours "
                "pas été remboursé.",
                "Je voudrais retourner {product}, il ne correspond pas à mes besoins.",
                "L'étiquette de retour n'était pas dans le colis.",
                "{product} est arrivé abîmé, je souhaite être remboursé de {amount}.",
                "Votre système indique le retour reçu, mais les {amount} n'ont pas été recrédités.",
                "Puis-je échanger {product} contre le nouveau modèle plutôt qu'un remboursement ?",
            ),
            "details": (
                "Le carton n'a pas été ouvert, l'emballage d'origine est intact.",
                "J'ai gardé le reçu du bureau de poste.",
                "Le délai de rétractation de 30 jours n'est pas encore écoulé.",
                "Je joins des photos des dégâts.",
            ),
        },
        "product_inquiry": {
            "subjects": (
                "Question sur {product}", "{product} est-il compatible avec {os} ?",
                "Différence entre {product} et {product2}", "Disponibilité de {product}",
                "Remise pour {count} unités ?", "{product} fonctionne-t-il hors ligne ?",
                "Question avant achat",
            ),
            "statements": (
                "Est-ce que {product} fonctionne avec {os} ?",
                "Quelle est la différence entre {product} et {product2} ?",
                "Nous voulons commander {count} unités de {product} pour le bureau, une remise "
                "est-elle possible ?",
                "Quand {product} sera-t-il de nouveau en stock ?",
                "Est-il possible de prolonger la garantie de {product} ?",
                "Peut-on utiliser {product} sans connexion internet ?",
            ),
            "details": (
                "Nous sommes une petite équipe d'environ {count} personnes.",
                "J'ai vu le produit sur votre site mais les caractéristiques ne sont pas claires.",
                "Une fiche technique serait utile.",
                "Il faudrait une livraison en Belgique et en Suisse.",
            ),
        },
        "security": {
            "subjects": (
                "Connexion suspecte sur mon compte", "E-mail de phishing à votre nom",
                "Fuite de données possible ?", "Appareil inconnu sur mon compte",
                "Signalement d'une faille dans votre portail",
                "Quelqu'un a changé mon mot de passe",
                "E-mail étrange avec pièce jointe",
            ),
            "statements": (
                "J'ai reçu une alerte de connexion depuis un pays où je ne suis jamais allé.",
                "Nous avons reçu un e-mail qui ressemble à votre facture, mais le lien mène vers "
                "un domaine inconnu.",
                "Un appareil que je ne reconnais pas apparaît dans les sessions de mon compte.",
                "Mon mot de passe a été modifié et ce n'est pas moi.",
                "Je pense avoir trouvé une faille : la page d'erreur {error} affiche les données "
                "d'autres clients.",
                "Un collègue a cliqué sur un lien de phishing et a saisi ses identifiants.",
                "Notre clé API a peut-être été publiée par erreur dans un dépôt public.",
            ),
            "details": (
                "J'ai déjà changé mon mot de passe et fermé toutes les sessions.",
                "L'adresse de l'expéditeur ressemblait beaucoup à la vôtre.",
                "Merci de vérifier si des données ont été consultées.",
                "Je n'ai cliqué sur rien.",
            ),
        },
        "hr_it_internal": {
            "subjects": (
                "Portable pour un nouvel arrivant", "Le VPN ne se connecte pas en télétravail",
                "Besoin d'un accès à {app}", "Onboarding : comptes pour une nouvelle collègue",
                "Imprimante du 2e étage en panne", "Bulletin de paie introuvable dans {app}",
                "Départ d'un membre de l'équipe", "Demande d'un deuxième écran",
            ),
            "statements": (
                "Une nouvelle collègue arrive le {date}, il lui faut un portable et un accès à "
                "{app}.",
                "Depuis chez moi, impossible de me connecter au VPN, j'ai l'erreur {error}.",
                "J'ai besoin d'un accès au dossier {app} pour le projet finance.",
                "L'imprimante du deuxième étage n'imprime que des pages blanches.",
                "Mon bulletin de paie du mois dernier n'apparaît pas dans {app}.",
                "Un membre de l'équipe part le {date}, merci de désactiver ses comptes et de "
                "récupérer son portable.",
                "Ma demande de congés dans {app} reste « en attente » depuis des jours.",
            ),
            "details": (
                "Mon manager a déjà donné son accord.",
                "Centre de coût : CC-{count}40.",
                "Je suis en télétravail le lundi et le vendredi.",
                "C'est pour l'équipe marketing.",
            ),
        },
    },
    "priority_prefixes": {
        "high": ("URGENT : ", "Urgent - ", "TRÈS URGENT : ", "[CRITIQUE] "),
        "medium": (),
        "low": ("Petite question : ", "Info : ", "Pour info : "),
    },
    "priority_sentences": {
        "high": (
            "C'est urgent, notre système de production est en panne !",
            "Tous les utilisateurs de l'entreprise sont touchés.",
            "Nous avons une échéance ferme aujourd'hui à 17 h.",
            "Aidez-nous immédiatement, nous perdons des ventes à chaque minute !",
            "Toute l'équipe est bloquée et ne peut pas travailler.",
            "Merci de traiter en priorité absolue !!",
            "Nos clients commencent déjà à se plaindre.",
        ),
        "medium": (
            "Ce serait bien de régler ça cette semaine.",
            "Quelques collègues sont concernés, mais il existe un contournement.",
            "Pas critique, mais assez pénible.",
            "Pourriez-vous regarder cela dans les prochains jours ?",
            "Revenez vers moi dès que possible, idéalement avant la fin de la semaine.",
        ),
        "low": (
            "Rien d'urgent, quand vous aurez le temps.",
            "Ce n'est pas du tout urgent.",
            "Petit détail, priorité basse.",
            "Je suis le seul concerné et rien n'est bloqué.",
            "Je pose la question pour plus tard.",
        ),
    },
    "type_sentences": {
        "incident": (
            "Depuis ce matin, plus rien ne marche.",
            "Depuis hier, c'est tout simplement cassé.",
            "Jusqu'au {date}, tout fonctionnait très bien.",
            "Pour l'instant, rien ne fonctionne.",
        ),
        "request": (
            "Pourriez-vous m'envoyer les détails ?",
            "Merci de l'ajouter pour moi.",
            "Je souhaite en faire la demande, merci.",
            "Comment dois-je procéder ?",
            "Merci de me donner plus d'informations.",
        ),
        "problem": (
            "Cela se reproduit sans cesse.",
            "C'est la troisième fois ce mois-ci.",
            "Le problème est revenu après votre dernier correctif.",
            "Ça recommence tous les deux ou trois jours, il doit y avoir une cause de fond.",
        ),
        "change": (
            "Merci de modifier cela sur mon compte.",
            "Je voudrais faire adapter mes paramètres en conséquence.",
            "Merci de me faire passer à l'offre {plan}.",
            "Pourriez-vous modifier la configuration actuelle ?",
            "Merci de mettre à jour les informations enregistrées.",
        ),
    },
}

LANGUAGE_PACKS: dict[str, LanguagePack] = {"en": _EN, "de": _DE, "es": _ES, "fr": _FR}
# fmt: on
