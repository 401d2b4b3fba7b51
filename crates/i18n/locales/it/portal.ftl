# Pagine dei membri e canvas dell'app. Un messaggio per testo; vedi docs/i18n.md.
language-name = Italiano
language-switch = Lingua: { $language }
language-switch-label = Lingua
skip-to-content = Vai al contenuto

## Rifiuti del selettore di lingua (POST /language)
language-bad-request = Non è stato possibile usare questa scelta di lingua
language-unknown = Lanyard non è tradotto in questa lingua. Scegli English, Français, Español, Deutsch, Português o Italiano.
language-bad-back = La pagina a cui tornare non è una pagina di questo sito.
language-cross-site = La lingua si può cambiare solo dalle pagine di questo sito.
back-home = Torna all'inizio

## Pagine comuni
home-title = Portale Lanyard
home-text = La tua chiave WiFi è a un passo: apri il link del portale della tua sede, oppure il riquadro WiFi dell'app Optix.
not-found-title = Pagina non trovata
not-found-text = A questo indirizzo non c'è nulla. Controlla il link, oppure apri di nuovo il link del portale della tua sede.
too-many-title = Troppe richieste
too-many-security = Per la tua sicurezza sono consentite solo poche richieste in poco tempo.
too-many-wait = Riprova tra { $minutes ->
    [one] circa un minuto
   *[other] circa { $minutes } minuti
}.
unavailable-title = Servizio WiFi momentaneamente non disponibile
unavailable-text = Non siamo riusciti a raggiungere il servizio che gestisce l'accesso WiFi. Non è andato perso nulla: riprova tra un minuto.
try-again = Riprova
form-expired-title = Questo modulo è scaduto
form-expired-text = Per la tua sicurezza i moduli funzionano solo nella pagina che li ha mostrati, con i cookie attivi. Torna indietro, ricarica la pagina e riprova.
reload-page = Ricarica la pagina
unknown-workspace-title = Spazio di lavoro sconosciuto
unknown-workspace-text = Questo indirizzo non appartiene a uno spazio di lavoro che usa questo portale WiFi, oppure lo spazio lo ha scollegato.
unknown-workspace-hint = Controlla il link che ti è stato dato, oppure chiedi alla reception l'indirizzo del portale WiFi della tua sede.
unmapped-title = Il WiFi non è ancora configurato per questa sede
unmapped-text = Il tuo spazio di lavoro non ha ancora collegato questa sede al suo WiFi, quindi non c'è una rete per cui darti una chiave.
unmapped-told = Abbiamo avvisato gli amministratori. Chiedi alla reception, oppure riprova più tardi.
unmapped-detail = La sede { $location } non è associata.
error-database-title = Momentaneamente non disponibile
error-database-text = Il portale non riesce a raggiungere il suo database in questo momento. Riprova tra un minuto.
error-internal-title = Qualcosa è andato storto
error-internal-text = Il portale non è riuscito a mostrare questa pagina. Riprova; se succede ancora, avvisa la reception.

## Accesso via email
email-form-title = WiFi presso { $place }
email-form-intro = Inserisci l'indirizzo email che usi con il tuo spazio di lavoro. Se appartiene a un membro, ti inviamo un link di accesso per vedere la tua password WiFi personale.
email-label = Indirizzo email
email-send = Inviami un link di accesso
email-invalid = Inserisci l'indirizzo email che usi con il tuo spazio di lavoro, ad esempio nome@esempio.it.
back-to-sign-in = Torna alla pagina di accesso
check-email-title = Controlla la tua email
check-email-sent = Se { $email } appartiene a un membro, un link di accesso è in arrivo.
check-email-valid = Funziona una sola volta e per { $minutes ->
    [one] un minuto
   *[other] { $minutes } minuti
}.
check-email-spam = Dopo qualche minuto non è arrivato nulla? Controlla la cartella dello spam, oppure verifica di aver usato l'indirizzo che il tuo spazio di lavoro conosce.
check-email-other = Usa un altro indirizzo email
signing-in-title = Accesso
signing-in-wait = Accesso in corso…
signing-in-needs-js = Per accedere serve JavaScript: attivalo e apri di nuovo il link.
link-incomplete = Questa pagina ti fa accedere con il link ricevuto via email, ma il link è incompleto.
link-open-again = Apri di nuovo il link dell'email, oppure chiedine uno nuovo.
link-used-title = Questo link di accesso è già stato usato
link-used-text = Ogni link funziona una sola volta. Se hai appena effettuato l'accesso su un altro dispositivo o browser, puoi accedere qui con un nuovo link.
link-expired-title = Questo link di accesso è scaduto
link-expired-text = I link di accesso valgono { $minutes ->
    [one] un minuto
   *[other] { $minutes } minuti
}. Chiedine uno nuovo: arriva in un attimo.
link-invalid-title = Questo link di accesso non è valido qui
link-invalid-text = Il link è incompleto, oppure appartiene al portale di un'altra sede. Apri di nuovo il link della tua email, oppure chiedine uno nuovo qui.
link-new = Inviami un nuovo link
signed-out-title = Sei uscito
signed-out-text = Il tuo WiFi continua a funzionare sui tuoi dispositivi: uscire chiude solo questa pagina.
sign-in-again = Accedi di nuovo
not-signed-in-title = Non hai effettuato l'accesso
not-signed-in-text = Per vedere la tua chiave WiFi, apri il link del portale WiFi della tua sede e chiedi un link di accesso, oppure apri WiFi dall'app Optix.

## I canvas (app e dashboard Optix)
canvas-title = WiFi
canvas-open-from-app = Apri WiFi dall'app Optix per vedere qui la tua chiave WiFi.
canvas-signed-in-already = Hai già effettuato l'accesso? La tua chiave è nella pagina WiFi.
canvas-rejected-title = Non siamo riusciti a farti accedere
canvas-rejected-text = Optix non ha confermato la tua identità: il token di accesso manca, è scaduto o non è valido.
canvas-rejected-hint = Chiudi questa schermata e riaprila dall'app o dalla dashboard di Optix.
canvas-admins-title = Solo per amministratori
canvas-admins-text = Questa parte dell'app WiFi è per gli amministratori dello spazio. I membri trovano la loro chiave WiFi nel riquadro WiFi dell'app Optix.
canvas-no-location-title = Apri WiFi da una sede
canvas-no-location-text = L'app non ha indicato in quale sede ti trovi. Scegli la tua sede nell'app Optix, poi apri WiFi dalla sua schermata iniziale.

## Attivazione e rifiuti
get-key-title = Ottieni la tua chiave WiFi
get-key-text = Non hai ancora un account WiFi. Verifichiamo la tua iscrizione e ne creiamo uno.
get-key-button = Ottieni la mia chiave WiFi
preparing-title = Stiamo preparando il tuo account WiFi
preparing-text = Ci vuole un attimo. Ricarica la pagina per vedere la tua chiave.
reload = Ricarica
no-location-title = Apri WiFi dalla tua sede
no-location-text = Il tuo account WiFi non è ancora legato a nessuna sede. Apri il link del portale WiFi della tua sede, oppure WiFi nell'app del tuo spazio di lavoro, per vedere la tua chiave.
no-live-grant = Il tuo account non ha alcun accesso valido in questo momento (forse una prenotazione inizia più tardi).
no-access-title = Nessun piano o prenotazione attivi
no-access-text = Nella tua iscrizione non abbiamo trovato un piano attivo né una prenotazione per oggi in questa sede, quindi non c'è ancora un accesso WiFi da darti.
no-access-hint = Per avere il WiFi, attiva un piano o prenota una postazione o una sala per oggi (nell'app Optix o alla reception), poi riapri questa pagina.
check-again = Verifica di nuovo
suspended-title = Il tuo accesso WiFi è in pausa
suspended-text = Il tuo account WiFi resta, ma in questo momento nessun piano o prenotazione ti dà accesso (ad esempio, un piano è terminato o è stato annullato).
suspended-hint = Appena avrai di nuovo un piano attivo o una prenotazione, l'accesso torna da solo, con la stessa password. Chiedi alla reception se qualcosa non ti sembra giusto.
unknown-member-title = Non abbiamo trovato la tua iscrizione
unknown-member-text = Il sistema dei membri dello spazio non ti conosce (o non più). Se pensi che sia un errore, chiedi alla reception.
refused-title = Non siamo riusciti a darti l'accesso WiFi
refused-text = Il servizio WiFi ha rifiutato la richiesta. Chiedi alla reception.
back-to-wifi = Torna al tuo WiFi

## Rifiuti di una modifica, per codice
refusal-invalid-passphrase = Questa password non rispetta le regole: da 8 a 63 caratteri; lettere, cifre e simboli tranne le virgolette, \ ; , e :; non comune né facile da indovinare.
refusal-passphrase-taken = Questa password è già in uso; scegline un'altra.
refusal-device-limit = Hai registrato tutti i dispositivi che il tuo piano consente; rimuovine prima uno.
refusal-device-taken = Questo dispositivo è registrato a nome di un altro membro dello spazio.
refusal-invalid-mac = Questo non è un indirizzo Wi-Fi (MAC). Scrivilo così: AA:BB:CC:DD:EE:FF.
refusal-unknown-device = Questo dispositivo non è registrato sul tuo account.
refusal-no-account = Non hai ancora un account WiFi.
refusal-other = Il servizio WiFi ha rifiutato la modifica: { $reason }

## La pagina della chiave
key-title = Il tuo WiFi
key-title-error = Errore: Il tuo WiFi
key-done-changed = La tua nuova password è attiva. Ricollega i tuoi dispositivi con questa.
key-done-generated = È stata generata una nuova password. Ricollega i tuoi dispositivi con questa.
key-done-device-added = Il dispositivo è stato aggiunto.
key-done-device-removed = Il dispositivo è stato rimosso.
key-network = Rete
key-network-name = Nome della rete
key-location = Sede
key-group = Gruppo
key-vlan = VLAN
key-valid = Validità
key-valid-no-end = Senza data di fine: finché dura il tuo piano
key-valid-until-day = Fino alla fine di { $day } ({ $zone })
key-valid-until = Fino a { $time } ({ $zone })
key-online = Connessi ora
key-online-none = Nessuno dei tuoi dispositivi è connesso al WiFi in questo momento.
key-online-since = da { $time }
key-passphrase = Password
key-passphrase-personal = La tua password è personale: collega i tuoi dispositivi e solo i tuoi.
key-show = Mostra password e codice QR
key-hide = Nascondi password e codice QR
key-scan = Scansiona per collegarti a { $network }:
key-qr-label = Codice QR per collegarsi alla rete { $network }
key-copy = Copia la password
key-copied = Copiata negli appunti.
key-change = Cambia la tua password
key-new-passphrase = Nuova password
key-new-passphrase-hint = Da 8 a 63 caratteri; lettere, cifre e simboli tranne le virgolette, \ ; , e :
key-set = Usa questa password
key-generate = Genera una nuova password
key-reconnect = Dopo una modifica, ricollega i tuoi dispositivi con la nuova password.
key-preparing = Stiamo preparando la tua password. Ricarica la pagina tra un attimo.
key-refresh = Aggiorna
key-sign-out = Esci

## Dispositivi nella pagina della chiave
devices-title = I tuoi dispositivi
devices-intro = Dove gli access point controllano i dispositivi, solo quelli elencati qui si collegano con la tua password. Puoi registrare { $limit ->
    [one] un dispositivo
   *[other] fino a { $limit } dispositivi
}.
devices-none = Nessun dispositivo ancora registrato.
devices-remove = Rimuovi { $name }
devices-add = Aggiungi un dispositivo
devices-name = Nome
devices-name-hint = ad es. Il mio telefono
devices-mac = Indirizzo Wi-Fi (MAC)
devices-mac-hint = ad es. AA:BB:CC:DD:EE:FF
devices-add-button = Aggiungi questo dispositivo
devices-bound-tenant = Aggiunto dal membro
devices-bound-admin = Aggiunto da un amministratore
devices-bound-accounting = Associato dalla rete al primo collegamento
devices-bound-handshake = Associato dalla rete durante lo scambio di chiavi
devices-seen = ultima volta sul WiFi { $last } (prima volta { $first })
devices-not-seen = non collegato al WiFi di recente
devices-help = Dove trovo l'indirizzo Wi-Fi del mio dispositivo?
devices-help-intro = Telefoni e portatili usano un indirizzo privato per ogni rete. Scegli prima la rete (prova a collegarti una volta), poi leggi l'indirizzo mostrato per quella rete:
devices-help-iphone = <strong>iPhone, iPad</strong>: Impostazioni → Wi-Fi → tocca ⓘ accanto alla rete. Imposta <em>Indirizzo Wi-Fi privato</em> su <em>Fisso</em> (con iOS 17 e precedenti: lascialo attivo); l'indirizzo è sotto <em>Indirizzo Wi-Fi</em>.
devices-help-android = <strong>Android</strong>: Impostazioni → Rete e Internet → Internet (o Wi-Fi) → l'ingranaggio accanto alla rete. In <em>Privacy</em> mantieni <em>Usa MAC casuale</em>; l'indirizzo è sotto <em>Dettagli rete</em> → <em>Indirizzo MAC</em> (i nomi variano secondo il produttore).
devices-help-mac = <strong>Mac</strong>: Impostazioni di Sistema → Wi-Fi → <em>Dettagli…</em> accanto alla rete. Imposta <em>Indirizzo Wi-Fi privato</em> su <em>Fisso</em>; l'indirizzo compare sotto.
devices-help-windows = <strong>Windows 11</strong>: Impostazioni → Rete e Internet → Wi-Fi → le proprietà della rete. Imposta <em>Indirizzi hardware casuali</em> su <em>Attivato</em> (non <em>Cambia ogni giorno</em>); l'indirizzo è l'<em>Indirizzo fisico (MAC)</em>, in fondo.
devices-help-rotating = Un'impostazione che cambia l'indirizzo (a rotazione, ogni giorno) rende di nuovo sconosciuto il dispositivo: registra allora il nuovo indirizzo.
