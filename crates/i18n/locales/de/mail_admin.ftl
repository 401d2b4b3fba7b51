# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## Versandprotokoll (mail-log-*).
mail-log-nav = Gesendete E-Mails
mail-log-title = E-Mails an Mitglieder
mail-log-intro = Die letzten E-Mails, die Lanyard an Ihre Mitglieder gesendet hat (oder bewusst nicht gesendet hat), die neuesten zuerst. Adressen werden nie gespeichert; eine fehlgeschlagene E-Mail wird mit wachsenden Pausen erneut versucht.
mail-log-empty = Es wurde noch keine E-Mail gesendet.
mail-log-caption = Zeiten in { $timezone }.
mail-log-limit = { $limit ->
    [one] Die neueste E-Mail wird angezeigt.
   *[other] Höchstens die { $limit } neuesten E-Mails werden angezeigt.
}
mail-log-kind = Nachricht
mail-log-member = Mitglied
mail-log-outcome = Ergebnis
mail-log-when = Wann
mail-log-attempts = Versuche
mail-log-reason = Letzter Fehler
mail-log-member-gone = (Konto gelöscht)
mail-log-kind-welcome = Willkommen
mail-log-kind-key-changed = Passwort geändert
mail-log-kind-access-ending = Zugang endet bald
mail-log-kind-access-suspended = Zugang gesperrt
mail-log-kind-guest-invited = Gasteinladung
mail-log-outcome-sending = Wird gesendet
mail-log-outcome-sent = Gesendet
mail-log-outcome-failed = Fehlgeschlagen, wird erneut versucht
mail-log-outcome-skipped-off = Nicht gesendet: ausgeschaltet
mail-log-outcome-skipped-deleted = Nicht gesendet: Mitglied gelöscht
