# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

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
