# Seiten für Mitglieder und Canvas der App. Eine Nachricht pro Text; siehe docs/i18n.md.
language-name = Deutsch
language-switch = Sprache: { $language }
language-switch-label = Sprache
skip-to-content = Zum Inhalt springen

## Ablehnungen der Sprachauswahl (POST /language)
language-bad-request = Diese Sprachauswahl konnte nicht verwendet werden
language-unknown = Lanyard gibt es nicht in dieser Sprache. Wählen Sie English, Français, Español, Deutsch, Português oder Italiano.
language-bad-back = Die Seite, zu der zurückgekehrt werden soll, gehört nicht zu dieser Website.
language-cross-site = Die Sprache kann nur auf den Seiten dieser Website geändert werden.
back-home = Zurück zum Anfang

## Gemeinsame Seiten
home-title = Lanyard-Portal
home-text = Ihr WLAN-Schlüssel ist nur einen Schritt entfernt: Öffnen Sie den Portal-Link Ihres Standorts oder die WLAN-Kachel in der Optix-App.
not-found-title = Seite nicht gefunden
not-found-text = Unter dieser Adresse gibt es nichts. Prüfen Sie den Link oder öffnen Sie den Portal-Link Ihres Standorts erneut.
too-many-title = Zu viele Anfragen
too-many-security = Zu Ihrer Sicherheit sind in kurzer Zeit nur wenige Anfragen erlaubt.
too-many-wait = Bitte versuchen Sie es in { $minutes ->
    [one] etwa einer Minute
   *[other] etwa { $minutes } Minuten
} erneut.
unavailable-title = WLAN-Dienst vorübergehend nicht verfügbar
unavailable-text = Der Dienst, der den WLAN-Zugang verwaltet, ist gerade nicht erreichbar. Es ist nichts verloren: Bitte versuchen Sie es in einer Minute erneut.
try-again = Erneut versuchen
form-expired-title = Dieses Formular ist abgelaufen
form-expired-text = Zu Ihrer Sicherheit funktionieren Formulare nur auf der Seite, die sie angezeigt hat, und mit aktivierten Cookies. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.
reload-page = Seite neu laden
unknown-workspace-title = Unbekannter Coworking-Space
unknown-workspace-text = Diese Adresse gehört zu keinem Coworking-Space, der dieses WLAN-Portal nutzt, oder der Space hat es getrennt.
unknown-workspace-hint = Prüfen Sie den Link, den Sie erhalten haben, oder fragen Sie am Empfang nach der Adresse des WLAN-Portals Ihres Standorts.
unmapped-title = Für diesen Standort ist das WLAN noch nicht eingerichtet
unmapped-text = Ihr Coworking-Space hat diesen Standort noch nicht mit seinem WLAN verbunden, daher gibt es kein Netz, für das wir Ihnen einen Schlüssel geben könnten.
unmapped-told = Wir haben die Administratoren informiert. Bitte fragen Sie am Empfang oder versuchen Sie es später erneut.
unmapped-detail = Standort { $location } ist nicht zugeordnet.
error-database-title = Vorübergehend nicht verfügbar
error-database-text = Das Portal erreicht seine Datenbank gerade nicht. Bitte versuchen Sie es in einer Minute erneut.
error-internal-title = Etwas ist schiefgegangen
error-internal-text = Das Portal konnte diese Seite nicht anzeigen. Bitte versuchen Sie es erneut; wenn es wieder passiert, sagen Sie am Empfang Bescheid.

## Anmeldung per E-Mail
email-form-title = WLAN bei { $place }
email-form-intro = Geben Sie die E-Mail-Adresse ein, die Sie bei Ihrem Coworking-Space verwenden. Gehört sie einem Mitglied, senden wir Ihnen einen Anmeldelink, mit dem Sie Ihr persönliches WLAN-Passwort sehen.
email-label = E-Mail-Adresse
email-send = Anmeldelink senden
email-invalid = Geben Sie die E-Mail-Adresse ein, die Sie bei Ihrem Coworking-Space verwenden, zum Beispiel name@beispiel.de.
back-to-sign-in = Zurück zur Anmeldeseite
check-email-title = Sehen Sie in Ihr Postfach
check-email-sent = Wenn { $email } einem Mitglied gehört, ist ein Anmeldelink unterwegs.
check-email-valid = Er funktioniert einmal und { $minutes ->
    [one] eine Minute
   *[other] { $minutes } Minuten
} lang.
check-email-spam = Nach ein paar Minuten nichts angekommen? Sehen Sie im Spam-Ordner nach, oder prüfen Sie, ob Sie die Adresse verwendet haben, die Ihr Coworking-Space von Ihnen kennt.
check-email-other = Andere E-Mail-Adresse verwenden
signing-in-title = Anmeldung
signing-in-wait = Sie werden angemeldet …
signing-in-needs-js = Die Anmeldung braucht JavaScript: Bitte schalten Sie es ein und öffnen Sie den Link erneut.
link-incomplete = Diese Seite meldet Sie mit dem Link aus Ihrer E-Mail an, aber der Link ist unvollständig.
link-open-again = Öffnen Sie den Link aus der E-Mail erneut oder fordern Sie einen neuen an.
link-used-title = Dieser Anmeldelink wurde bereits verwendet
link-used-text = Jeder Link funktioniert nur einmal. Wenn Sie sich gerade auf einem anderen Gerät oder in einem anderen Browser angemeldet haben, können Sie sich hier mit einem neuen Link anmelden.
link-expired-title = Dieser Anmeldelink ist abgelaufen
link-expired-text = Anmeldelinks gelten { $minutes ->
    [one] eine Minute
   *[other] { $minutes } Minuten
}. Fordern Sie einen neuen an: Er kommt in einem Moment.
link-invalid-title = Dieser Anmeldelink gilt hier nicht
link-invalid-text = Der Link ist unvollständig oder gehört zum Portal eines anderen Standorts. Öffnen Sie den Link aus Ihrer E-Mail erneut oder fordern Sie hier einen neuen an.
link-new = Neuen Link senden
signed-out-title = Sie sind abgemeldet
signed-out-text = Ihr WLAN funktioniert auf Ihren Geräten weiter: Die Abmeldung schließt nur diese Seite.
sign-in-again = Erneut anmelden
not-signed-in-title = Sie sind nicht angemeldet
not-signed-in-text = Um Ihren WLAN-Schlüssel zu sehen, öffnen Sie den WLAN-Portal-Link Ihres Standorts und fordern einen Anmeldelink an, oder öffnen Sie WLAN in der Optix-App.

## Die Canvas (Optix-App und -Dashboard)
canvas-title = WLAN
canvas-open-from-app = Öffnen Sie WLAN in der Optix-App, um hier Ihren WLAN-Schlüssel zu sehen.
canvas-signed-in-already = Schon angemeldet? Ihr Schlüssel steht auf der WLAN-Seite.
canvas-rejected-title = Wir konnten Sie nicht anmelden
canvas-rejected-text = Optix hat Ihre Identität nicht bestätigt: Das Anmelde-Token fehlt, ist abgelaufen oder ungültig.
canvas-rejected-hint = Schließen Sie diese Ansicht und öffnen Sie sie erneut aus der Optix-App oder dem Dashboard.
canvas-admins-title = Nur für Administratoren
canvas-admins-text = Dieser Teil der WLAN-App ist für die Administratoren des Spaces. Mitglieder finden ihren WLAN-Schlüssel in der WLAN-Kachel der Optix-App.
canvas-no-location-title = Öffnen Sie WLAN an einem Standort
canvas-no-location-text = Die App hat nicht mitgeteilt, an welchem Standort Sie sind. Wählen Sie Ihren Standort in der Optix-App und öffnen Sie dann WLAN auf dem Startbildschirm.

## Einrichtung und Ablehnungen
get-key-title = Holen Sie sich Ihren WLAN-Schlüssel
get-key-text = Sie haben noch kein WLAN-Konto. Wir prüfen Ihre Mitgliedschaft und richten eines ein.
get-key-button = Meinen WLAN-Schlüssel holen
preparing-title = Ihr WLAN-Konto wird vorbereitet
preparing-text = Das dauert einen Moment. Laden Sie die Seite neu, um Ihren Schlüssel zu sehen.
reload = Neu laden
no-location-title = Öffnen Sie WLAN an Ihrem Standort
no-location-text = Ihr WLAN-Konto ist noch keinem Standort zugeordnet. Öffnen Sie den WLAN-Portal-Link Ihres Standorts oder WLAN in der App Ihres Coworking-Space, um Ihren Schlüssel zu sehen.
no-live-grant = Ihr Konto hat gerade keinen gültigen Zugang (eine Buchung beginnt vielleicht später).
no-access-title = Kein aktiver Tarif und keine Buchung
no-access-text = Wir haben in Ihrer Mitgliedschaft weder einen aktiven Tarif noch eine Buchung für heute an diesem Standort gefunden, daher gibt es noch keinen WLAN-Zugang für Sie.
no-access-hint = Für WLAN starten Sie einen Tarif oder buchen Sie einen Platz oder Raum für heute (in der Optix-App oder am Empfang) und öffnen Sie diese Seite dann erneut.
check-again = Erneut prüfen
suspended-title = Ihr WLAN-Zugang ist pausiert
suspended-text = Ihr WLAN-Konto bleibt erhalten, aber gerade gibt Ihnen kein Tarif und keine Buchung Zugang (zum Beispiel ist ein Tarif abgelaufen oder wurde gekündigt).
suspended-hint = Sobald Sie wieder einen aktiven Tarif oder eine Buchung haben, kommt der Zugang von selbst zurück, mit demselben Passwort. Fragen Sie am Empfang, wenn das falsch aussieht.
unknown-member-title = Wir haben Ihre Mitgliedschaft nicht gefunden
unknown-member-text = Das Mitgliedersystem des Spaces kennt Sie nicht (mehr). Wenn Sie das für einen Fehler halten, fragen Sie am Empfang.
refused-title = Wir konnten Ihnen keinen WLAN-Zugang geben
refused-text = Der WLAN-Dienst hat die Anfrage abgelehnt. Bitte fragen Sie am Empfang.
back-to-wifi = Zurück zu Ihrem WLAN

## Ablehnungen einer Änderung, nach Code
refusal-invalid-passphrase = Dieses Passwort hält die Regeln nicht ein: 8 bis 63 Zeichen; Buchstaben, Ziffern und Symbole außer Anführungszeichen, \ ; , und :; kein gängiges oder leicht zu erratendes.
refusal-passphrase-taken = Dieses Passwort wird bereits verwendet; wählen Sie ein anderes.
refusal-device-limit = Sie haben so viele Geräte registriert, wie Ihr Tarif erlaubt; entfernen Sie zuerst eines.
refusal-device-taken = Dieses Gerät ist für ein anderes Mitglied des Spaces registriert.
refusal-invalid-mac = Das ist keine WLAN-Adresse (MAC). Schreiben Sie sie wie AA:BB:CC:DD:EE:FF.
refusal-unknown-device = Dieses Gerät ist nicht in Ihrem Konto registriert.
refusal-no-account = Sie haben noch kein WLAN-Konto.
refusal-other = Der WLAN-Dienst hat die Änderung abgelehnt: { $reason }

## Die Schlüsselseite
key-title = Ihr WLAN
key-title-error = Fehler: Ihr WLAN
key-done-changed = Ihr neues Passwort gilt. Verbinden Sie Ihre Geräte damit neu.
key-done-generated = Ein neues Passwort wurde erzeugt. Verbinden Sie Ihre Geräte damit neu.
key-done-device-added = Das Gerät ist hinzugefügt.
key-done-device-removed = Das Gerät ist entfernt.
key-network = Netz
key-network-name = Netzwerkname
key-location = Standort
key-group = Gruppe
key-vlan = VLAN
key-valid = Gültig
key-valid-no-end = Ohne Enddatum: solange Ihr Tarif läuft
key-valid-until-day = Bis Ende { $day } ({ $zone })
key-valid-until = Bis { $time } ({ $zone })
key-online = Jetzt online
key-online-none = Gerade ist keines Ihrer Geräte im WLAN.
key-online-since = seit { $time }
key-passphrase = Passwort
key-passphrase-personal = Ihr Passwort ist persönlich: Es verbindet Ihre Geräte und nur Ihre.
key-show = Passwort und QR-Code anzeigen
key-hide = Passwort und QR-Code ausblenden
key-scan = Scannen, um { $network } beizutreten:
key-qr-label = QR-Code, um dem Netz { $network } beizutreten
key-copy = Passwort kopieren
key-copied = In die Zwischenablage kopiert.
key-change = Passwort ändern
key-new-passphrase = Neues Passwort
key-new-passphrase-hint = 8 bis 63 Zeichen; Buchstaben, Ziffern und Symbole außer Anführungszeichen, \ ; , und :
key-set = Dieses Passwort verwenden
key-generate = Neues Passwort erzeugen
key-reconnect = Verbinden Sie Ihre Geräte nach einer Änderung mit dem neuen Passwort neu.
key-preparing = Ihr Passwort wird vorbereitet. Laden Sie die Seite gleich neu.
key-refresh = Aktualisieren
key-sign-out = Abmelden

## Geräte auf der Schlüsselseite
devices-title = Ihre Geräte
devices-intro = Wo die Access Points Geräte prüfen, verbinden sich nur die hier aufgeführten Geräte mit Ihrem Passwort. Sie können { $limit ->
    [one] ein Gerät
   *[other] bis zu { $limit } Geräte
} registrieren.
devices-none = Noch kein Gerät registriert.
devices-remove = { $name } entfernen
devices-add = Gerät hinzufügen
devices-name = Name
devices-name-hint = z. B. Mein Telefon
devices-mac = WLAN-Adresse (MAC)
devices-mac-hint = z. B. AA:BB:CC:DD:EE:FF
devices-add-button = Dieses Gerät hinzufügen
devices-bound-tenant = Vom Mitglied hinzugefügt
devices-bound-admin = Von einem Administrator hinzugefügt
devices-bound-accounting = Vom Netz bei der ersten Verbindung zugeordnet
devices-bound-handshake = Vom Netz beim Schlüsselaustausch zugeordnet
devices-seen = zuletzt im WLAN am { $last } (zuerst am { $first })
devices-not-seen = in letzter Zeit nicht im WLAN
devices-help = Wo finde ich die WLAN-Adresse meines Geräts?
devices-help-intro = Telefone und Laptops verwenden für jedes Netz eine private Adresse. Wählen Sie zuerst das Netz (versuchen Sie einmal, beizutreten), dann lesen Sie die für dieses Netz angezeigte Adresse ab:
devices-help-iphone = <strong>iPhone, iPad</strong>: Einstellungen → WLAN → auf ⓘ neben dem Netz tippen. <em>Private WLAN-Adresse</em> auf <em>Fest</em> stellen (bei iOS 17 und früher: eingeschaltet lassen); die Adresse steht unter <em>WLAN-Adresse</em>.
devices-help-android = <strong>Android</strong>: Einstellungen → Netzwerk und Internet → Internet (oder WLAN) → das Zahnrad neben dem Netz. Unter <em>Datenschutz</em> <em>Zufällige MAC-Adresse verwenden</em> beibehalten; die Adresse steht unter <em>Netzwerkdetails</em> → <em>MAC-Adresse</em> (die Namen unterscheiden sich je nach Hersteller).
devices-help-mac = <strong>Mac</strong>: Systemeinstellungen → WLAN → <em>Details …</em> neben dem Netz. <em>Private WLAN-Adresse</em> auf <em>Fest</em> stellen; die Adresse steht darunter.
devices-help-windows = <strong>Windows 11</strong>: Einstellungen → Netzwerk und Internet → WLAN → die Eigenschaften des Netzes. <em>Zufällige Hardwareadressen</em> auf <em>Ein</em> stellen (nicht <em>Täglich ändern</em>); die Adresse ist die <em>Physische Adresse (MAC)</em> ganz unten.
devices-help-rotating = Eine Einstellung, die die Adresse wechselt (rotierend, täglich ändern), macht das Gerät wieder unbekannt: Registrieren Sie dann die neue Adresse.
