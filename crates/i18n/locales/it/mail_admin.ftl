# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The organization's email settings (admin canvas, "Emails").
mail-settings-nav = Email
mail-settings-heading = Email ai membri
mail-settings-intro = Lanyard scrive ai tuoi membri quando ricevono il WiFi in una sede per la prima volta, quando la loro passphrase cambia, prima che il loro accesso finisca, quando viene sospeso e quando sono invitati a una riunione. Scegli quali di queste email partono, a nome di chi e quando partono i promemoria.
mail-settings-messages-heading = Messaggi
mail-settings-messages-intro = Disattiva un messaggio per non inviarlo più a nessun membro dell'organizzazione.
mail-settings-kind-welcome = Benvenuto
    .hint = Il nome della rete e un link di accesso, al primo accesso di un membro a una sede.
mail-settings-kind-key-changed = Passphrase cambiata
    .hint = Quando un amministratore cambia la passphrase di un membro o ne viene generata una nuova: ricollega i tuoi dispositivi.
mail-settings-kind-access-ending = Accesso in scadenza
    .hint = Un promemoria prima della fine di un piano, di una prenotazione o di un pass giornaliero.
mail-settings-kind-access-suspended = Accesso sospeso
    .hint = Quando un piano è terminato o è stato annullato: cosa è successo e a chi rivolgersi.
mail-settings-kind-guest-invited = Ospite di una riunione
    .hint = Il WiFi di un ospite per la durata della riunione, con il link di accesso.
mail-settings-sender-heading = Mittente
mail-settings-sender-name = Nome del mittente
    .hint = Mostrato come mittente dell'email, per esempio il nome del tuo coworking. Lascia vuoto per il nome predefinito di Lanyard.
mail-settings-reply-to = Indirizzo di risposta
    .hint = Dove arrivano le risposte dei membri, per esempio la tua reception. Lascia vuoto per non averne.
mail-settings-reminders-heading = Promemoria
mail-settings-plan-reminder = Ore prima della fine di un piano
    .hint = Tra 1 e 720 (30 giorni); 24 se non lo cambi.
mail-settings-booking-reminder = Ore prima della fine di una prenotazione o di un pass giornaliero
    .hint = Tra 1 e 720, o vuoto per nessun promemoria (il predefinito: le prenotazioni in giornata non ne hanno bisogno).
mail-settings-wording-heading = Testi
mail-settings-wording-intro = Le email di ogni lingua usano i testi di Lanyard, mostrati accanto al riquadro. Per riformulare un messaggio, copialo nel riquadro con il suo nome e modificane il testo; mantieni i nomi che iniziano con $, vengono sostituiti dai dati del membro. Lascia il riquadro vuoto per usare i testi di Lanyard.
mail-settings-wording-own = I tuoi testi ({ $language })
    .hint = Solo i messaggi che modifichi, nello stesso formato dei testi di Lanyard.
mail-settings-wording-catalogue = I testi di Lanyard ({ $language })
mail-settings-save = Salva le impostazioni delle email
mail-settings-saved = Le impostazioni delle email sono salvate.
mail-settings-error-reply-to = L'indirizzo di risposta «{ $address }» non è un indirizzo email: scrivine uno come reception@esempio.it.
mail-settings-error-sender-empty = Il nome del mittente è vuoto: scrivine uno, o lascia il campo vuoto per quello predefinito.
mail-settings-error-sender-long = Il nome del mittente è lungo { $length } caratteri; ne sono ammessi al massimo { $max }.
mail-settings-error-sender-character = Il nome del mittente non può contenere { $character }: virgolette, parentesi angolari, barre rovesciate e a capo rompono la riga del mittente dell'email.
mail-settings-error-plan-hours = Il promemoria del piano deve partire tra 1 e 720 ore prima della fine (non { $hours }).
mail-settings-error-booking-hours = Il promemoria della prenotazione deve partire tra 1 e 720 ore prima della fine (non { $hours }), o restare vuoto.
mail-settings-error-language = { $language } non è una lingua in cui Lanyard scrive.
mail-settings-error-wording-syntax = I tuoi testi ({ $language }), riga { $line }: { $reason }
mail-settings-error-wording-unknown = I tuoi testi ({ $language }) nominano { $message }, che non è un messaggio di Lanyard: riformula solo messaggi esistenti.
mail-settings-error-wording-long = I tuoi testi ({ $language }) sono lunghi { $bytes } byte; ne sono ammessi al massimo 65536.

## Registro degli invii (mail-log-*).
mail-log-nav = Email inviate
mail-log-title = Email ai membri
mail-log-intro = Le ultime email che Lanyard ha inviato ai tuoi membri (o ha deciso di non inviare), dalla più recente. Gli indirizzi non vengono mai salvati; un’email non riuscita viene ritentata con pause sempre più lunghe.
mail-log-empty = Non è ancora stata inviata nessuna email.
mail-log-caption = Orari in { $timezone }.
mail-log-limit = { $limit ->
    [one] Viene mostrata l’email più recente.
   *[other] Vengono mostrate al massimo le { $limit } email più recenti.
}
mail-log-kind = Messaggio
mail-log-member = Membro
mail-log-outcome = Esito
mail-log-when = Quando
mail-log-attempts = Tentativi
mail-log-reason = Ultimo errore
mail-log-member-gone = (account eliminato)
mail-log-kind-welcome = Benvenuto
mail-log-kind-key-changed = Password cambiata
mail-log-kind-access-ending = Accesso in scadenza
mail-log-kind-access-suspended = Accesso sospeso
mail-log-kind-guest-invited = Invito ospite
mail-log-outcome-sending = In invio
mail-log-outcome-sent = Inviata
mail-log-outcome-failed = Non riuscita, verrà ritentata
mail-log-outcome-skipped-off = Non inviata: disattivata
mail-log-outcome-skipped-deleted = Non inviata: membro eliminato
