# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The organization's email settings (admin canvas, "Emails").
mail-settings-nav = E-Mails
mail-settings-heading = E-Mails an Mitglieder
mail-settings-intro = Lanyard schreibt Ihren Mitgliedern, wenn sie an einem Standort zum ersten Mal WLAN erhalten, wenn sich ihre Passphrase ändert, bevor ihr Zugang endet, wenn er gesperrt wird und wenn sie zu einem Meeting eingeladen sind. Wählen Sie, welche dieser E-Mails verschickt werden, in wessen Namen und wann Erinnerungen verschickt werden.
mail-settings-messages-heading = Nachrichten
mail-settings-messages-intro = Schalten Sie eine Nachricht aus, um sie keinem Mitglied der Organisation mehr zu schicken.
mail-settings-kind-welcome = Willkommen
    .hint = Der Netzwerkname und ein Anmeldelink, beim ersten Zugang eines Mitglieds zu einem Standort.
mail-settings-kind-key-changed = Passphrase geändert
    .hint = Wenn ein Admin die Passphrase eines Mitglieds ändert oder eine neue erzeugt wird: Geräte neu verbinden.
mail-settings-kind-access-ending = Zugang endet bald
    .hint = Eine Erinnerung, bevor ein Tarif, eine Buchung oder ein Tagespass endet.
mail-settings-kind-access-suspended = Zugang gesperrt
    .hint = Wenn ein Tarif abgelaufen ist oder gekündigt wurde: was geschehen ist und an wen man sich wendet.
mail-settings-kind-guest-invited = Meeting-Gast
    .hint = Das WLAN eines Gastes für die Dauer des Meetings, mit dem Anmeldelink.
mail-settings-sender-heading = Absender
mail-settings-sender-name = Absendername
    .hint = Wird als Absender der E-Mail angezeigt, zum Beispiel der Name Ihres Coworking Spaces. Leer lassen für den Standardnamen von Lanyard.
mail-settings-reply-to = Antwortadresse
    .hint = Wohin die Antworten der Mitglieder gehen, zum Beispiel an Ihren Empfang. Leer lassen für keine.
mail-settings-reminders-heading = Erinnerungen
mail-settings-plan-reminder = Stunden vor dem Ende eines Tarifs
    .hint = Zwischen 1 und 720 (30 Tage); 24, sofern Sie es nicht ändern.
mail-settings-booking-reminder = Stunden vor dem Ende einer Buchung oder eines Tagespasses
    .hint = Zwischen 1 und 720, oder leer für keine Erinnerung (Standard: Buchungen am selben Tag brauchen keine).
mail-settings-wording-heading = Formulierung
mail-settings-wording-intro = Die E-Mails jeder Sprache verwenden die Formulierung von Lanyard, die neben dem Feld steht. Um eine Nachricht umzuformulieren, kopieren Sie sie mit ihrem Namen in das Feld und ändern Sie ihren Text; behalten Sie die Namen bei, die mit $ beginnen, sie werden durch die Angaben des Mitglieds ersetzt. Lassen Sie das Feld leer, um die Formulierung von Lanyard zu verwenden.
mail-settings-wording-own = Ihre Formulierung ({ $language })
    .hint = Nur die Nachrichten, die Sie ändern, im selben Format wie die Formulierung von Lanyard.
mail-settings-wording-catalogue = Die Formulierung von Lanyard ({ $language })
mail-settings-save = E-Mail-Einstellungen speichern
mail-settings-saved = Die E-Mail-Einstellungen sind gespeichert.
mail-settings-error-reply-to = Die Antwortadresse „{ $address }“ ist keine E-Mail-Adresse: Geben Sie eine wie empfang@beispiel.de an.
mail-settings-error-sender-empty = Der Absendername ist leer: Geben Sie einen an, oder lassen Sie das Feld für den Standardnamen leer.
mail-settings-error-sender-long = Der Absendername ist { $length } Zeichen lang; höchstens { $max } sind erlaubt.
mail-settings-error-sender-character = Der Absendername darf { $character } nicht enthalten: Anführungszeichen, spitze Klammern, Backslashes und Zeilenumbrüche zerstören die Absenderzeile der E-Mail.
mail-settings-error-plan-hours = Die Tarif-Erinnerung muss zwischen 1 und 720 Stunden vor dem Ende verschickt werden (nicht { $hours }).
mail-settings-error-booking-hours = Die Buchungs-Erinnerung muss zwischen 1 und 720 Stunden vor dem Ende verschickt werden (nicht { $hours }), oder leer bleiben.
mail-settings-error-language = { $language } ist keine Sprache, in der Lanyard schreibt.
mail-settings-error-wording-syntax = Ihre Formulierung ({ $language }), Zeile { $line }: { $reason }
mail-settings-error-wording-unknown = Ihre Formulierung ({ $language }) nennt { $message }, keine Nachricht von Lanyard: Formulieren Sie nur vorhandene Nachrichten um.
mail-settings-error-wording-long = Ihre Formulierung ({ $language }) ist { $bytes } Bytes lang; höchstens 65536 sind erlaubt.

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
