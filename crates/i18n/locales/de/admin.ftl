# Verwaltungsseiten und Admin-Canvas (Issue 21). Eine Nachricht pro Text; Fachbegriffe (VLAN,
# NAS, RADIUS, PPSK, SSID, CoA) bleiben in jeder Sprache unverändert.

## Rahmen, Navigation, gemeinsame Wörter

admin-brand = WLAN-Verwaltung
admin-skip = Zum Inhalt springen
admin-nav-label = Bereiche
admin-nav-home = Übersicht
admin-nav-connection = Verbindung
admin-nav-locations = Standorte
admin-nav-nas = Access Points
admin-nav-controllers = WLAN-Controller
admin-nav-plans = Tarife
admin-nav-members = Mitglieder
admin-nav-sessions = Sitzungen
admin-hint-optional = optional
admin-none = keine
admin-sealed = (versiegelt)
admin-utc-time = { $time } UTC
admin-test-connection = Verbindung testen
admin-connection-works = Verbindung funktioniert: { $answer }.
admin-no-location-mapped = Noch ist kein Standort zugeordnet:
admin-map-location-first = ordnen Sie zuerst einen Standort zu
admin-remove = { $name } entfernen
admin-col-remove = Entfernen
admin-col-name = Name
admin-col-location = Standort
admin-col-member = Mitglied
admin-col-status = Status
admin-col-finished = Beendet
admin-col-outcome = Ergebnis
admin-col-vlan = VLAN

## Wörter für Werte, die auf Englisch gespeichert sind

admin-word-initial = erstmalig
admin-word-periodic = regelmäßig
admin-word-manual = manuell
admin-word-ok = ok
admin-word-failed = fehlgeschlagen
admin-word-active = aktiv
admin-word-suspended = gesperrt
admin-word-live = aktiv
admin-word-open-ended = unbefristet
admin-notification-sync-failed = Synchronisierung fehlgeschlagen
admin-notification-unmapped-location = nicht zugeordneter Standort
admin-notification-group-without-vlan = Gruppe ohne VLAN
admin-notification-unmapped-location-text = Ein Mieter hat am { $platform }-Standort { $location } nach WLAN gefragt, der keinem Lanyard-Standort zugeordnet ist.
admin-group-vlan = { $group } (VLAN { $vlan })
admin-group-no-vlan = { $group } (kein VLAN)
admin-vlan-only = VLAN { $vlan }

## Was ein Formular bewirkt hat

admin-done-location-mapped = Die Standortzuordnung ist gespeichert.
admin-done-location-unmapped = Die Zuordnung des Standorts ist aufgehoben.
admin-done-plan-mapped = Das Profil des Tarifs ist gespeichert.
admin-done-plan-unmapped = Der Tarif verwendet wieder das Standardprofil.
admin-done-default-set = Das Standardprofil ist gespeichert.
admin-done-pool-set = Der VLAN-Pool der Organisation ist gespeichert.
admin-done-sync-started = Die Synchronisierung mit der Mitgliederplattform ist gelaufen.
admin-done-nas-registered = Der Access Point ist gespeichert.
admin-done-nas-removed = Der Access Point ist entfernt: Seine Anfragen werden ab jetzt verworfen.
admin-done-device-removed = Das Gerät ist entfernt.
admin-done-officernd-connected = OfficeRnD ist verbunden: Mitglieder, Mitgliedschaften und Buchungen werden importiert.
admin-done-controller-mapped = Der WLAN-Controller ist gespeichert: Seine Schlüssel folgen binnen Sekunden.
admin-done-controller-unmapped = Die Zuordnung des WLAN-Controllers ist aufgehoben: Seine Schlüssel dort bleiben, bis sie im Dashboard des Herstellers entfernt werden.

## Probleme im Formular

admin-error-unknown-action = Unbekannte Aktion.
admin-error-unknown-location = Unbekannter Standort.
admin-error-unknown-plan = Unbekannter Tarif.
admin-error-unknown-nas = Unbekannter Access Point.
admin-error-refused = Abgelehnt: { $reason }.
admin-error-provision-refused = Die Änderung wurde abgelehnt: { $reason }
admin-error-whole-number = { $field } muss eine ganze Zahl sein (eingegeben: { $value }).
admin-error-pool-both = Ein VLAN-Pool braucht sein erstes und sein letztes VLAN (oder keines von beiden).
admin-error-choose-vendor = Wählen Sie den Hersteller des Access Points.
admin-error-choose-location = Wählen Sie einen Standort.
admin-error-required = „{ $field }“ ist ein Pflichtfeld.
admin-error-ssid-number = Die SSID-Nummer muss eine ganze Zahl von 0 bis 14 sein.
admin-error-credential = Der Zugangsschlüssel muss mindestens { $min } Zeichen lang sein, ohne Leerzeichen.
admin-field-vlan = Das VLAN
admin-field-upload = Das Upload-Limit
admin-field-download = Das Download-Limit
admin-field-duration = Die Dauer
admin-field-devices = Die Anzahl der Geräte
admin-field-vlan-first = Das erste VLAN
admin-field-vlan-last = Das letzte VLAN
admin-field-coa-port = Der CoA-Port
admin-field-ssid = SSID

## Anmeldung

admin-canvas-open-from-optix = Öffnen Sie die WLAN-App im Optix-Dashboard (Apps oder den Menüpunkt WLAN), um sie hier zu verwalten.
admin-signed-out-title = Bitte öffnen Sie die WLAN-Verwaltung aus Optix
admin-signed-out-text = Ihre Admin-Sitzung ist abgelaufen oder wurde hier nie gestartet. Öffnen Sie die WLAN-App im Optix-Dashboard (Apps → Apps verwalten → Konfigurieren, oder den Menüpunkt WLAN): Sie werden dabei angemeldet.

## Übersicht

admin-home-signed-in = Angemeldet als { $name } (Organisation { $org }).
admin-home-user = Benutzer { $user }
admin-home-notifications = Benachrichtigungen
admin-home-no-notifications = Keine Benachrichtigungen: Jeder von Mietern genutzte Standort ist zugeordnet, Synchronisierungen gelingen und jede Gruppe hat ein VLAN.
admin-col-when = Wann
admin-col-what = Was
admin-col-about = Betrifft
admin-col-details = Details
admin-home-syncs = Letzte Synchronisierungen mit { $platform }
admin-home-no-syncs = Es ist noch keine Synchronisierung gelaufen.
admin-col-kind = Art
admin-col-users-seen = Gesehene Benutzer
admin-col-corrected = Korrigiert
admin-col-events = Ereignisse
admin-col-reason = Grund
admin-home-sync-now = Jetzt mit { $platform } synchronisieren
admin-home-groups = Team-Gruppen
admin-home-no-groups = Noch hat kein Team WLAN-Mitglieder.
admin-col-team = Team
admin-col-members = Mitglieder

## Verbindung

admin-connection-officernd = Die Organisation { $org } ist mit OfficeRnD verbunden: Mitglieder erhalten WLAN über ihre dortigen Mitgliedschaften, Buchungen und Tagespässe. Lanyard synchronisiert alle 15 Minuten und bei jedem Webhook.
admin-connection-platform = Plattform
admin-connection-slug = Slug der Organisation
admin-connection-client-id = Client-ID
admin-connection-client-secret = Client-Secret
admin-connection-sealed = versiegelt gespeichert (nicht angezeigt)
admin-connection-optix = Die Organisation { $org } ist über die Lanyard-App mit Optix verbunden; die Verbindung wird in Optix verwaltet (Apps → Apps verwalten).
admin-connection-next = Ordnen Sie als Nächstes Standorte WLAN-Netzen und Tarife Zugangsprofilen zu:
admin-connection-nothing-to-test = Diese Organisation ist über die Optix-App verbunden: Hier gibt es nichts zu testen.
admin-connection-other-org = Die gespeicherten Zugangsdaten lesen eine andere Organisation, { $name } ({ $org }): Verbinden Sie erneut mit den Zugangsdaten dieser Organisation.

## Standorte

admin-locations-intro = Ordnen Sie jeden { $platform }-Standort seinem WLAN-Netz zu. Mieter an einem nicht zugeordneten Standort sehen eine Fehlermeldung, und Sie erhalten eine Benachrichtigung.
admin-location-platform-id = ({ $platform }-Standort { $location })
admin-location-fallback = Standort { $location }
admin-location-mapped = Zugeordnet
admin-location-network = Netz
admin-location-not-mapped = Nicht zugeordnet
admin-location-unmapped-uses = { $count ->
    [one] Mieter haben hier einmal nach WLAN gefragt, während der Standort nicht zugeordnet war
   *[other] Mieter haben hier { $count }-mal nach WLAN gefragt, während der Standort nicht zugeordnet war
}
admin-location-name = Name des Standorts
admin-location-network-name = Netzname (SSID)
admin-location-timezone = Zeitzone
admin-location-timezone-hint = IANA-Name, z. B. Europe/Berlin
admin-location-roaming = Wo Schlüssel gelten
admin-roaming-single = Nur an diesem Standort
admin-roaming-all = An allen Standorten
admin-roaming-plan = Wo der Tarif des Mitglieds gilt
admin-location-pool-first = VLAN-Pool: erstes
admin-hint-vlan = optional, 1–4094
admin-location-pool-last = VLAN-Pool: letztes
admin-location-save = Zuordnung speichern
admin-location-map = Diesen Standort zuordnen
admin-location-unmap = Zuordnung von { $location } aufheben
admin-locations-none = { $platform } zeigt keinen Standort, den Sie verwalten.

## Access Points (NAS)

admin-nas-intro = Die Access Points und Controller (NAS), die Lanyards RADIUS-Server nach den Schlüsseln der Mitglieder fragen dürfen. Eine Anfrage von einer hier nicht aufgeführten Adresse wird verworfen. Ordnen Sie zuerst einen Standort zu; die Einstellungen für jeden Hersteller stehen im RADIUS-Leitfaden.
admin-nas-network = (Netz { $network })
admin-nas-none = Hier ist noch kein Access Point registriert.
admin-nas-at = Access Points in { $location }
admin-col-id = ID
admin-col-address = Adresse
admin-col-vendor = Hersteller
admin-col-ssids = SSIDs
admin-col-coa-port = CoA-Port
admin-nas-add = Access Point hinzufügen oder ändern
admin-nas-id-hint = a–z, 0–9 und -, z. B. lobby-ap-1; eine vorhandene ID ändert diesen Access Point
admin-nas-address-hint = woher seine RADIUS-Anfragen kommen: 10.0.0.7 oder 10.0.0.0/24
admin-nas-ssids-hint = eine pro Zeile, je höchstens 32 Bytes
admin-nas-coa-hint = optional, 3799 wenn leer
admin-nas-secret = Gemeinsames Geheimnis
admin-nas-secret-hint = 16–128 Zeichen, ohne Leerzeichen; leer lassen, um beim Ändern eines Access Points das bisherige zu behalten
admin-nas-save = Access Point speichern
admin-dialect-meraki = Meraki (iPSK mit RADIUS)

## WLAN-Controller

admin-controllers-intro-before = Lanyard hält die Schlüssel dieser Controller gleich den eigenen: Ein im Dashboard des Herstellers geänderter oder gelöschter Schlüssel wird beim nächsten Abgleich wiederhergestellt. Ordnen Sie unten einen Standort zu (oder mit
admin-controllers-intro-after = ); der Zugangsschlüssel wird versiegelt gespeichert und nie wieder angezeigt.
admin-controller-heading = Standort { $location }: { $vendor }
admin-controller-unmap = Zuordnung von Standort { $location } aufheben
admin-controller-not-reconciled = Noch nicht abgeglichen.
admin-controller-recent = Letzte Abgleiche
admin-col-why = Anlass
admin-col-created = Angelegt
admin-col-updated = Aktualisiert
admin-col-deleted = Gelöscht
admin-col-drift = Korrigierte Abweichungen
admin-controllers-none = Kein Standort ist einem WLAN-Controller zugeordnet.
admin-controller-map-heading = Einen Standort einem Controller zuordnen
admin-controller-map-replaces = Die Zuordnung eines Standorts, der schon einen Controller hat, ersetzt diesen.
admin-vendor-meraki = Meraki (Identity PSKs)
admin-vendor-openwrt = OpenWrt-AP-Gruppe
admin-vendor-unifi = UniFi (Private Pre-Shared Keys)
admin-vendor-mist = Mist (PSKs)
admin-meraki-org = Meraki-Organisations-ID
admin-meraki-network = Netzwerk-ID
admin-meraki-ssid = SSID-Nummer
admin-meraki-key = Dashboard-API-Schlüssel
admin-openwrt-group = Name der AP-Gruppe
admin-openwrt-token = Abruf-Token
admin-openwrt-token-hint = mindestens 32 Zeichen; die Router senden es
admin-unifi-url = URL der Network-Anwendung
admin-unifi-url-hint = https://console/proxy/network unter UniFi OS
admin-unifi-site = Site
admin-unifi-site-hint = default, wenn leer
admin-unifi-wlan = WLAN-ID
admin-unifi-key = API-Schlüssel
admin-mist-org = Mist-Organisations-ID
admin-mist-site = Site-ID
admin-mist-site-hint = optional: PSKs der Organisation, wenn leer
admin-mist-token = API-Token
admin-controller-map-to = Zu { $vendor } zuordnen
admin-target-meraki = Organisation { $org }, Netzwerk { $network }, SSID { $ssid }
admin-target-openwrt = AP-Gruppe { $group }
admin-target-unifi = UniFi { $url }, Site { $site }, WLAN { $wlan }
admin-target-mist-site = Mist-Site { $site }, SSID { $ssid }
admin-target-mist-org = Mist-Organisation { $org }, SSID { $ssid }
admin-controller-none-mapped = Diesem Standort ist kein Controller zugeordnet.
admin-controller-nothing-to-reach = OpenWrt-Router holen ihre Schlüsseldatei bei Lanyard ab; es gibt nichts zu erreichen
admin-controller-unexpected = Der Controller hat nicht wie erwartet geantwortet: { $error }.

## Tarife und Zugangsprofile

admin-plans-heading = Tarife und Zugangsprofile
admin-plans-intro = Jeder { $platform }-Tarif gibt ein Zugangsprofil: WLAN an oder aus, ein VLAN, Bandbreitenlimits, eine Dauer und wie viele Geräte ein Mitglied registrieren darf. Nicht zugeordnete Tarife verwenden das Standardprofil.
admin-pool-heading = VLAN-Pool der Organisation
admin-pool-intro = Team-Gruppen erhalten ihr VLAN aus diesem Pool (oder aus dem Pool ihres Standorts, wenn dieser leer ist).
admin-pool-first = Erstes VLAN
admin-pool-last = Letztes VLAN
admin-pool-save = Pool speichern
admin-pool-hint = Lassen Sie beide leer, um nur Standort-Pools zu verwenden.
admin-default-heading = Standardprofil
admin-default-save = Standardprofil speichern
admin-plans-error = { $platform } hat die Tarife nicht aufgelistet: { $error }. Öffnen Sie die WLAN-Verwaltung erneut aus { $platform }, um es noch einmal zu versuchen.
admin-plan-id = (Tarif { $plan })
admin-plan-fallback = Tarif { $plan }
admin-plan-own = Eigenes Profil
admin-plan-save = Profil speichern
admin-plan-give = Diesem Tarif ein eigenes Profil geben
admin-plan-unmap = Zurück zum Standardprofil
admin-profile-name = Profilname
admin-profile-wifi = WLAN inklusive
admin-profile-vlan-hint = optional; das VLAN der Team-Gruppe hat Vorrang
admin-profile-hours = Dauer (Stunden)
admin-profile-hours-hint = optional, z. B. 24 für einen Tagespass
admin-profile-down = Download-Limit (kbit/s)
admin-profile-up = Upload-Limit (kbit/s)
admin-profile-devices = Geräte pro Mitglied
admin-profile-devices-hint = optional, 1–100; 5 wenn leer

## Mitglieder

admin-members-count = { $total ->
    [one] 1 WLAN-Konto
   *[other] { $total } WLAN-Konten
}
admin-members-shown = , { $first }–{ $last } angezeigt
admin-members-open = Öffnen Sie eines, um seinen Verlauf zu sehen.
admin-members-times = Zeiten sind in der Zeitzone des Standorts jedes Mitglieds angegeben.
admin-col-access = Zugang
admin-col-valid-until = Gültig bis
admin-col-group = Gruppe
admin-members-user = Benutzer { $user }
admin-members-none = Noch hat kein Mitglied ein WLAN-Konto.
admin-members-past-end = Diese Seite liegt hinter dem letzten Mitglied:
admin-members-back-first = zurück zur ersten Seite
admin-members-pages = Seiten der Mitgliederliste
admin-previous = ← Zurück
admin-next = Weiter →
admin-no-page-title = Diese Seite gibt es nicht
admin-no-page-text = Die Seitenzahl muss eine ganze Zahl ab 1 sein.

## Ein Mitglied

admin-member-all = ← Alle Mitglieder
admin-member-title = { $name } · Mitglied
admin-member-title-id = Mitglied { $user }
admin-member-email = E-Mail
admin-member-platform-user = { $platform }-Benutzer
admin-member-group-vlan = Gruppe / VLAN
admin-member-devices = Geräte
admin-member-devices-limit = Höchstens { $limit } Geräte (das größte Limit der Profile der aktiven Tarife des Mitglieds).
admin-member-no-devices = Kein Gerät registriert.
admin-col-wifi-address = WLAN-Adresse
admin-col-how = Wie
admin-col-added = Hinzugefügt
admin-col-seen = Gesehen
admin-member-history = Verlauf
admin-member-history-note = Jede Änderung an diesem Konto, die älteste zuerst, in der Zeit von { $tz }.
admin-member-by = { $line } — durch { $actor }
admin-no-member-title = Dieses Mitglied gibt es nicht
admin-no-member-text = Diese Organisation hat kein WLAN-Konto für diesen Benutzer.

## Sitzungen

admin-sessions-intro = Geräte, die gerade im WLAN sind, pro Standort, so wie die Access Points sie melden (RADIUS-Accounting). Zeiten in der Zeitzone des jeweiligen Standorts; ↓ ist, was das Gerät heruntergeladen hat.
admin-sessions-online = { $count } online
admin-sessions-truncated = , die neuesten { $limit } angezeigt
admin-sessions-none = An diesem Standort ist kein Gerät online.
admin-sessions-at = Sitzungen in { $location }
admin-times-in = Zeiten in { $tz }.
admin-col-device = Gerät
admin-col-nas = Access Point
admin-col-since = Seit
admin-col-last-report = Letzte Meldung
admin-col-traffic = Datenverkehr
admin-session-no-member = Gerät ist keinem Mitglied zugeordnet
admin-session-deleted = (Konto gelöscht)

## OfficeRnD

admin-officernd-member = OfficeRnD-Mitglied { $member }
admin-officernd-refused-title = Die Signatur von OfficeRnD wurde abgelehnt
admin-officernd-refused-text = Öffnen Sie die WLAN-Verwaltung erneut aus OfficeRnD (seine Integrationsseite signiert jeden Besuch).
admin-officernd-continue-intro = OfficeRnD hat Lanyards WLAN-Verwaltung für die Organisation { $org } geöffnet.
admin-officernd-continue = Weiter zur WLAN-Verwaltung
admin-officernd-connect-title = OfficeRnD verbinden
admin-officernd-connect-intro-before = Verbinden Sie Ihre OfficeRnD-Organisation mit Lanyard: Mitglieder erhalten dann ihr WLAN über ihre Mitgliedschaften, Buchungen und Tagespässe. Sie brauchen den Verbindungscode, den Ihnen Ihr Lanyard-Betreiber gegeben hat (
admin-officernd-connect-intro-after = ), und aus OfficeRnD (Settings → Developer Tools) Client-ID und Secret einer Anwendung sowie das Secret des Webhooks, der an Lanyard sendet.
admin-officernd-code = Verbindungscode
admin-officernd-client-secret-hint = wird versiegelt gespeichert und nie wieder angezeigt
admin-officernd-webhook-secret = Webhook-Secret
admin-officernd-webhook-secret-hint = nötig zum Verbinden, nicht zum Testen
admin-officernd-connect = Verbinden
admin-officernd-bad-slug = Der Slug ist der Name der Organisation in den Adressen von OfficeRnD (app.officernd.com/admin/<slug>): Buchstaben, Ziffern, - und _.
admin-officernd-give-client-id = Geben Sie die Client-ID der Anwendung an.
admin-officernd-give-client-secret = Geben Sie das Client-Secret der Anwendung an.
admin-officernd-connected-already = { $name } ist bereits verbunden: Öffnen Sie die WLAN-Verwaltung aus OfficeRnD, um sie zu verwalten.
admin-officernd-bad-credentials = OfficeRnD hat Client-ID und Secret für diesen Slug der Organisation abgelehnt: Prüfen Sie sie (Settings → Developer Tools → Applications) und den Slug.
admin-officernd-forbidden = OfficeRnD hat den Zugriff verweigert: Geben Sie der Anwendung Leserechte.
admin-officernd-unreachable = OfficeRnD war nicht erreichbar ({ $error }); versuchen Sie es gleich noch einmal.
