# Pagine di amministrazione e canvas di amministrazione (issue 21). Un messaggio per testo; i
# termini da operatore (VLAN, NAS, RADIUS, PPSK, SSID, CoA) restano invariati in ogni lingua.

## Cornice, navigazione, parole condivise

admin-brand = Amministrazione WiFi
admin-skip = Vai al contenuto
admin-nav-label = Sezioni
admin-nav-home = Panoramica
admin-nav-connection = Connessione
admin-nav-locations = Sedi
admin-nav-nas = Access point
admin-nav-controllers = Controller WiFi
admin-nav-plans = Piani
admin-nav-members = Membri
admin-nav-sessions = Sessioni
admin-hint-optional = facoltativo
admin-none = nessuno
admin-sealed = (sigillato)
admin-utc-time = { $time } UTC
admin-test-connection = Verifica la connessione
admin-connection-works = La connessione funziona: { $answer }.
admin-no-location-mapped = Nessuna sede è ancora associata:
admin-map-location-first = associa prima una sede
admin-remove = Rimuovi { $name }
admin-col-remove = Rimuovi
admin-col-name = Nome
admin-col-location = Sede
admin-col-member = Membro
admin-col-status = Stato
admin-col-finished = Terminata
admin-col-outcome = Esito
admin-col-vlan = VLAN

## Parole per valori salvati in inglese

admin-word-initial = iniziale
admin-word-periodic = periodica
admin-word-manual = manuale
admin-word-ok = ok
admin-word-failed = non riuscita
admin-word-active = attivo
admin-word-suspended = sospeso
admin-word-live = attivo
admin-word-open-ended = senza scadenza
admin-notification-sync-failed = sincronizzazione non riuscita
admin-notification-unmapped-location = sede non associata
admin-notification-group-without-vlan = gruppo senza VLAN
admin-notification-unmapped-location-text = Un inquilino ha chiesto il WiFi presso la sede { $location } di { $platform }, che non è associata a nessuna sede Lanyard.
admin-group-vlan = { $group } (VLAN { $vlan })
admin-group-no-vlan = { $group } (senza VLAN)
admin-vlan-only = VLAN { $vlan }

## Che cosa ha fatto un modulo

admin-done-location-mapped = L'associazione della sede è salvata.
admin-done-location-unmapped = La sede non è più associata.
admin-done-plan-mapped = Il profilo del piano è salvato.
admin-done-plan-unmapped = Il piano usa di nuovo il profilo predefinito.
admin-done-default-set = Il profilo predefinito è salvato.
admin-done-pool-set = L'intervallo di VLAN dell'organizzazione è salvato.
admin-done-sync-started = La sincronizzazione con la piattaforma dei membri è stata eseguita.
admin-done-nas-registered = L'access point è salvato.
admin-done-nas-removed = L'access point è rimosso: da ora le sue richieste vengono scartate.
admin-done-device-removed = Il dispositivo è rimosso.
admin-done-officernd-connected = OfficeRnD è connesso: i suoi membri, abbonamenti e prenotazioni sono in corso di importazione.
admin-done-controller-mapped = Il controller WiFi è salvato: le sue chiavi seguono in pochi secondi.
admin-done-controller-unmapped = Il controller WiFi non è più associato: le sue chiavi restano lì finché non vengono rimosse nella dashboard del produttore.

## Problemi del modulo

admin-error-unknown-action = Azione sconosciuta.
admin-error-unknown-location = Sede sconosciuta.
admin-error-unknown-plan = Piano sconosciuto.
admin-error-unknown-nas = Access point sconosciuto.
admin-error-refused = Rifiutato: { $reason }.
admin-error-provision-refused = La modifica è stata rifiutata: { $reason }
admin-error-whole-number = { $field } deve essere un numero intero (ricevuto: { $value }).
admin-error-pool-both = Un intervallo di VLAN richiede la prima e l'ultima VLAN (o nessuna delle due).
admin-error-choose-vendor = Scegli il produttore dell'access point.
admin-error-choose-location = Scegli una sede.
admin-error-required = «{ $field }» è obbligatorio.
admin-error-ssid-number = Il numero di SSID deve essere un numero intero da 0 a 14.
admin-error-credential = La credenziale deve avere almeno { $min } caratteri, senza spazi.
admin-field-vlan = La VLAN
admin-field-upload = Il limite di upload
admin-field-download = Il limite di download
admin-field-duration = La durata
admin-field-devices = Il numero di dispositivi
admin-field-vlan-first = La prima VLAN
admin-field-vlan-last = L'ultima VLAN
admin-field-coa-port = La porta CoA
admin-field-ssid = SSID

## Accesso

admin-canvas-open-from-optix = Apri l'app WiFi dalla dashboard di Optix (Apps, o la voce di menu WiFi) per gestirla qui.
admin-signed-out-title = Apri l'amministrazione WiFi da Optix
admin-signed-out-text = La tua sessione di amministrazione è scaduta o non è mai stata avviata qui. Apri l'app WiFi dalla dashboard di Optix (Apps → Gestisci app → Configura, o la voce di menu WiFi): così accedi.

## Panoramica

admin-home-signed-in = Accesso eseguito come { $name } (organizzazione { $org }).
admin-home-user = utente { $user }
admin-home-notifications = Notifiche
admin-home-no-notifications = Nessuna notifica: ogni sede usata dagli inquilini è associata, le sincronizzazioni riescono e ogni gruppo ha una VLAN.
admin-col-when = Quando
admin-col-what = Cosa
admin-col-about = Riguarda
admin-col-details = Dettagli
admin-home-syncs = Sincronizzazioni recenti con { $platform }
admin-home-no-syncs = Nessuna sincronizzazione è stata ancora eseguita.
admin-col-kind = Tipo
admin-col-users-seen = Utenti visti
admin-col-corrected = Corretti
admin-col-events = Eventi
admin-col-reason = Motivo
admin-home-sync-now = Sincronizza ora con { $platform }
admin-home-groups = Gruppi di team
admin-home-no-groups = Nessun team ha ancora membri con WiFi.
admin-col-team = Team
admin-col-members = Membri

## Connessione

admin-connection-officernd = L'organizzazione { $org } è connessa a OfficeRnD: i membri ricevono il WiFi dai loro abbonamenti, prenotazioni e pass giornalieri. Lanyard sincronizza ogni 15 minuti e a ogni webhook.
admin-connection-platform = Piattaforma
admin-connection-slug = Slug dell'organizzazione
admin-connection-client-id = ID client
admin-connection-client-secret = Secret client
admin-connection-sealed = conservato sigillato (non mostrato)
admin-connection-optix = L'organizzazione { $org } è connessa a Optix tramite l'app Lanyard; la connessione si gestisce in Optix (Apps → Gestisci app).
admin-connection-next = Poi associa le sedi alle reti WiFi e i piani ai profili di accesso:
admin-connection-nothing-to-test = Questa organizzazione è connessa tramite l'app di Optix: qui non c'è nulla da verificare.
admin-connection-other-org = Le credenziali salvate leggono un'altra organizzazione, { $name } ({ $org }): riconnettiti con quelle di questa organizzazione.

## Sedi

admin-locations-intro = Associa ogni sede di { $platform } alla sua rete WiFi. Gli inquilini di una sede non associata vedono un errore e tu ricevi una notifica.
admin-location-platform-id = (sede { $location } di { $platform })
admin-location-fallback = Sede { $location }
admin-location-mapped = Associata
admin-location-network = rete
admin-location-not-mapped = Non associata
admin-location-unmapped-uses = { $count ->
    [one] gli inquilini hanno chiesto il WiFi qui una volta mentre non era associata
   *[other] gli inquilini hanno chiesto il WiFi qui { $count } volte mentre non era associata
}
admin-location-name = Nome della sede
admin-location-network-name = Nome della rete (SSID)
admin-location-timezone = Fuso orario
admin-location-timezone-hint = nome IANA, ad es. Europe/Rome
admin-location-roaming = Dove funzionano le chiavi
admin-roaming-single = Solo in questa sede
admin-roaming-all = In tutte le sedi
admin-roaming-plan = Dove è valido il piano del membro
admin-location-pool-first = Intervallo di VLAN: prima
admin-hint-vlan = facoltativo, 1–4094
admin-location-pool-last = Intervallo di VLAN: ultima
admin-location-save = Salva l'associazione
admin-location-map = Associa questa sede
admin-location-unmap = Dissocia { $location }
admin-locations-none = { $platform } non mostra nessuna sede che gestisci.

## Access point (NAS)

admin-nas-intro = Gli access point e i controller (NAS) che possono chiedere le chiavi dei membri al server RADIUS di Lanyard. Una richiesta da un indirizzo non elencato qui viene scartata. Associa prima una sede; consulta la guida RADIUS per le impostazioni di ogni produttore.
admin-nas-network = (rete { $network })
admin-nas-none = Nessun access point è ancora registrato qui.
admin-nas-at = Access point di { $location }
admin-col-id = ID
admin-col-address = Indirizzo
admin-col-vendor = Produttore
admin-col-ssids = SSID
admin-col-coa-port = Porta CoA
admin-nas-add = Aggiungi o modifica un access point
admin-nas-id-hint = a–z, 0–9 e -, ad es. lobby-ap-1; un ID esistente modifica quell'access point
admin-nas-address-hint = da dove arrivano le sue richieste RADIUS: 10.0.0.7 o 10.0.0.0/24
admin-nas-ssids-hint = uno per riga, al massimo 32 byte ciascuno
admin-nas-coa-hint = facoltativo, 3799 se vuoto
admin-nas-secret = Segreto condiviso
admin-nas-secret-hint = da 16 a 128 caratteri, senza spazi; lascia vuoto per mantenere quello attuale quando modifichi un access point
admin-nas-save = Salva l'access point
admin-dialect-meraki = Meraki (iPSK con RADIUS)

## Controller WiFi

admin-controllers-intro-before = Lanyard mantiene le chiavi di questi controller uguali alle proprie: una chiave modificata o eliminata nella dashboard del produttore viene ripristinata alla riconciliazione successiva. Associa una sede qui sotto (o con
admin-controllers-intro-after = ); la credenziale viene conservata sigillata e non viene più mostrata.
admin-controller-heading = Sede { $location }: { $vendor }
admin-controller-unmap = Dissocia la sede { $location }
admin-controller-not-reconciled = Non ancora riconciliato.
admin-controller-recent = Ultime riconciliazioni
admin-col-why = Perché
admin-col-created = Create
admin-col-updated = Aggiornate
admin-col-deleted = Eliminate
admin-col-drift = Differenze corrette
admin-controllers-none = Nessuna sede è associata a un controller WiFi.
admin-controller-map-heading = Associa una sede a un controller
admin-controller-map-replaces = Associare una sede che ha già un controller lo sostituisce.
admin-vendor-meraki = Meraki (identity PSK)
admin-vendor-openwrt = Gruppo di AP OpenWrt
admin-vendor-unifi = UniFi (chiavi pre-condivise private)
admin-vendor-mist = Mist (PSK)
admin-meraki-org = ID organizzazione Meraki
admin-meraki-network = ID rete
admin-meraki-ssid = Numero di SSID
admin-meraki-key = Chiave API della dashboard
admin-openwrt-group = Nome del gruppo di AP
admin-openwrt-token = Token di download
admin-openwrt-token-hint = almeno 32 caratteri; lo inviano i router
admin-unifi-url = URL dell'applicazione Network
admin-unifi-url-hint = https://console/proxy/network su UniFi OS
admin-unifi-site = Site
admin-unifi-site-hint = default se vuoto
admin-unifi-wlan = ID WLAN
admin-unifi-key = Chiave API
admin-mist-org = ID organizzazione Mist
admin-mist-site = ID site
admin-mist-site-hint = facoltativo: PSK dell'organizzazione se vuoto
admin-mist-token = Token API
admin-controller-map-to = Associa a { $vendor }
admin-target-meraki = organizzazione { $org }, rete { $network }, SSID { $ssid }
admin-target-openwrt = gruppo di AP { $group }
admin-target-unifi = UniFi { $url }, site { $site }, WLAN { $wlan }
admin-target-mist-site = site Mist { $site }, SSID { $ssid }
admin-target-mist-org = organizzazione Mist { $org }, SSID { $ssid }
admin-controller-none-mapped = Nessun controller è associato a questa sede.
admin-controller-nothing-to-reach = I router OpenWrt scaricano il loro file di chiavi da Lanyard; non c'è nulla da contattare
admin-controller-unexpected = Il controller non ha risposto come previsto: { $error }.

## Piani e profili di accesso

admin-plans-heading = Piani e profili di accesso
admin-plans-intro = Ogni piano di { $platform } dà un profilo di accesso: WiFi sì o no, una VLAN, limiti di banda, una durata e quanti dispositivi può registrare un membro. I piani che non associ usano il profilo predefinito.
admin-pool-heading = Intervallo di VLAN dell'organizzazione
admin-pool-intro = I gruppi di team ricevono la loro VLAN da questo intervallo (o da quello della loro sede quando è vuoto).
admin-pool-first = Prima VLAN
admin-pool-last = Ultima VLAN
admin-pool-save = Salva l'intervallo
admin-pool-hint = Lascia entrambi vuoti per usare solo gli intervalli delle sedi.
admin-default-heading = Profilo predefinito
admin-default-save = Salva il profilo predefinito
admin-plans-error = { $platform } non ha elencato i piani: { $error }. Riapri l'amministrazione WiFi da { $platform } per riprovare.
admin-plan-id = (piano { $plan })
admin-plan-fallback = Piano { $plan }
admin-plan-own = Profilo proprio
admin-plan-save = Salva il profilo
admin-plan-give = Dai a questo piano un profilo proprio
admin-plan-unmap = Torna al profilo predefinito
admin-profile-name = Nome del profilo
admin-profile-wifi = WiFi incluso
admin-profile-vlan-hint = facoltativo; la VLAN del gruppo di team ha la precedenza
admin-profile-hours = Durata (ore)
admin-profile-hours-hint = facoltativo, ad es. 24 per un pass giornaliero
admin-profile-down = Limite di download (kbit/s)
admin-profile-up = Limite di upload (kbit/s)
admin-profile-devices = Dispositivi per membro
admin-profile-devices-hint = facoltativo, 1–100; 5 se vuoto

## Membri

admin-members-count = { $total ->
    [one] 1 account WiFi
   *[other] { $total } account WiFi
}
admin-members-shown = , { $first }–{ $last } mostrati
admin-members-open = Aprine uno per vederne la cronologia.
admin-members-times = Gli orari sono nel fuso orario della sede di ciascun membro.
admin-col-access = Accesso
admin-col-valid-until = Valido fino a
admin-col-group = Gruppo
admin-members-user = utente { $user }
admin-members-none = Nessun membro ha ancora un account WiFi.
admin-members-past-end = Questa pagina è oltre l'ultimo membro:
admin-members-back-first = torna alla prima pagina
admin-members-pages = Pagine dei membri
admin-previous = ← Precedente
admin-next = Successiva →
admin-no-page-title = Pagina inesistente
admin-no-page-text = Il numero di pagina deve essere un numero intero a partire da 1.

## Un membro

admin-member-all = ← Tutti i membri
admin-member-title = { $name } · Membro
admin-member-title-id = Membro { $user }
admin-member-email = E-mail
admin-member-platform-user = Utente { $platform }
admin-member-group-vlan = Gruppo / VLAN
admin-member-devices = Dispositivi
admin-member-devices-limit = Al massimo { $limit } dispositivi (il limite più alto tra i profili dei piani attivi del membro).
admin-member-no-devices = Nessun dispositivo registrato.
admin-col-wifi-address = Indirizzo Wi-Fi
admin-col-how = Come
admin-col-added = Aggiunto
admin-col-seen = Visto
admin-member-history = Cronologia
admin-member-history-note = Ogni modifica a questo account, dalla più vecchia, nell'ora di { $tz }.
admin-member-by = { $line } — da { $actor }
admin-no-member-title = Membro inesistente
admin-no-member-text = Questa organizzazione non ha nessun account WiFi per quell'utente.

## Sessioni

admin-sessions-intro = I dispositivi connessi ora al WiFi, per sede, come li segnalano gli access point (accounting RADIUS). Gli orari sono nel fuso orario di ciascuna sede; ↓ è ciò che il dispositivo ha scaricato.
admin-sessions-online = { $count } online
admin-sessions-truncated = , mostrati i { $limit } più recenti
admin-sessions-none = Nessun dispositivo è online in questa sede.
admin-sessions-at = Sessioni di { $location }
admin-times-in = Orari in { $tz }.
admin-col-device = Dispositivo
admin-col-nas = Access point
admin-col-since = Da
admin-col-last-report = Ultima segnalazione
admin-col-traffic = Traffico
admin-session-no-member = dispositivo non registrato a nessun membro
admin-session-deleted = (account eliminato)

## OfficeRnD

admin-officernd-member = Membro OfficeRnD { $member }
admin-officernd-refused-title = La firma di OfficeRnD è stata rifiutata
admin-officernd-refused-text = Riapri l'amministrazione WiFi da OfficeRnD (la sua pagina di integrazione firma ogni visita).
admin-officernd-continue-intro = OfficeRnD ha aperto l'amministrazione WiFi di Lanyard per l'organizzazione { $org }.
admin-officernd-continue = Continua all'amministrazione WiFi
admin-officernd-connect-title = Connetti OfficeRnD
admin-officernd-connect-intro-before = Connetti la tua organizzazione OfficeRnD a Lanyard: i membri ricevono poi il WiFi dai loro abbonamenti, prenotazioni e pass giornalieri. Ti servono il codice di connessione che ti ha dato il tuo operatore Lanyard (
admin-officernd-connect-intro-after = ) e, da OfficeRnD (Settings → Developer Tools), l'ID e il secret client di un'applicazione e il secret del webhook che invia a Lanyard.
admin-officernd-code = Codice di connessione
admin-officernd-client-secret-hint = conservato sigillato, mai più mostrato
admin-officernd-webhook-secret = Secret del webhook
admin-officernd-webhook-secret-hint = necessario per connettere, non per verificare
admin-officernd-connect = Connetti
admin-officernd-bad-slug = Lo slug è il nome dell'organizzazione negli indirizzi di OfficeRnD (app.officernd.com/admin/<slug>): lettere, cifre, - e _.
admin-officernd-give-client-id = Indica l'ID client dell'applicazione.
admin-officernd-give-client-secret = Indica il secret client dell'applicazione.
admin-officernd-connected-already = { $name } è già connessa: apri l'amministrazione WiFi da OfficeRnD per gestirla.
admin-officernd-bad-credentials = OfficeRnD ha rifiutato l'ID e il secret client per questo slug di organizzazione: verificali (Settings → Developer Tools → Applications) insieme allo slug.
admin-officernd-forbidden = OfficeRnD ha negato l'accesso: concedi all'applicazione i permessi di lettura.
admin-officernd-unreachable = OfficeRnD non è raggiungibile ({ $error }); riprova tra un momento.
