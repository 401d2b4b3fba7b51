# Emails to tenants.

## Gemeinsam für alle E-Mails.
mail-greeting = Hallo,
mail-sign-off = Ihr Team von { $organization }
mail-link-note = Der Link funktioniert einmal und { $hours ->
    [one] eine Stunde
   *[other] { $hours } Stunden
} lang. Ist er abgelaufen, fordern Sie auf derselben Seite einen neuen an.
mail-never-passphrase = Zu Ihrer Sicherheit enthält diese E-Mail nie Ihr Passwort.

## Willkommen.
mail-welcome-subject = Ihr WLAN bei { $place }
mail-welcome-intro = Willkommen! Sie haben jetzt WLAN-Zugang bei { $place }.
mail-welcome-network = Das Netzwerk heißt { $network }.
mail-welcome-action = Öffnen Sie Ihre Schlüsselseite, um Ihr persönliches Passwort zu sehen und Ihre Geräte zu verbinden:
mail-welcome-button = Meinen WLAN-Schlüssel öffnen

## Schlüssel geändert.
mail-key-changed-subject = Ihr WLAN-Passwort bei { $place } wurde geändert
mail-key-changed-intro = Ihr persönliches Passwort für das Netzwerk { $network } wurde geändert.
mail-key-changed-action = Verbinden Sie Ihre Geräte mit dem neuen Passwort neu. Ihre Schlüsselseite zeigt es:
mail-key-changed-button = Meinen neuen Schlüssel ansehen

## Zugang endet bald.
mail-access-ending-subject = Ihr WLAN bei { $place } endet am { $ends }
mail-access-ending-intro = Ihr WLAN-Zugang bei { $place } endet am { $ends } (Ortszeit).
mail-access-ending-action = Läuft Ihr Tarif weiter, ändert sich für Sie nichts. Um Ihren Zugang zu behalten, wenden Sie sich an { $organization }.

## Zugang gesperrt.
mail-access-suspended-subject = Ihr WLAN bei { $place } ist gesperrt
mail-access-suspended-ended = Ihr Tarif bei { $place } ist abgelaufen, daher ist Ihr WLAN-Zugang gesperrt.
mail-access-suspended-cancelled = Ihr Tarif bei { $place } wurde gekündigt, daher ist Ihr WLAN-Zugang gesperrt.
mail-access-suspended-ask = Fragen? Antworten Sie auf diese E-Mail oder wenden Sie sich an { $organization }.

## Gast.
mail-guest-invited-subject = WLAN für Ihr Meeting bei { $place }
mail-guest-invited-intro = Sie werden bei { $place } erwartet. Während Ihres Meetings, von { $from } bis { $until }, können Sie das WLAN { $network } nutzen.
mail-guest-invited-action = Öffnen Sie Ihren Gastschlüssel, um das Passwort zu sehen:
mail-guest-invited-button = Meinen WLAN-Schlüssel öffnen
