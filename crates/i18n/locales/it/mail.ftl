# Emails to tenants.

## Comune a tutte le email.
mail-greeting = Buongiorno,
mail-sign-off = Il team di { $organization }
mail-link-note = Il link funziona una sola volta, entro { $hours ->
    [one] un’ora
   *[other] { $hours } ore
}. Se è scaduto, richiedine uno nuovo dalla stessa pagina.
mail-never-passphrase = Per la tua sicurezza, questa email non contiene mai la tua password.

## Benvenuto.
mail-welcome-subject = Il tuo WiFi presso { $place }
mail-welcome-intro = Benvenuto! Ora hai accesso al WiFi presso { $place }.
mail-welcome-network = La rete si chiama { $network }.
mail-welcome-action = Apri la pagina della tua chiave per vedere la tua password personale e collegare i tuoi dispositivi:
mail-welcome-button = Apri la mia chiave WiFi

## Chiave cambiata.
mail-key-changed-subject = La tua password WiFi presso { $place } è cambiata
mail-key-changed-intro = La tua password personale per la rete { $network } è cambiata.
mail-key-changed-action = Ricollega i tuoi dispositivi con la nuova password. La pagina della tua chiave la mostra:
mail-key-changed-button = Vedi la mia nuova chiave

## Accesso in scadenza.
mail-access-ending-subject = Il tuo WiFi presso { $place } termina { $ends }
mail-access-ending-intro = Il tuo accesso WiFi presso { $place } termina { $ends } (ora locale).
mail-access-ending-action = Se il tuo piano continua, per te non cambia nulla. Per mantenere l’accesso, rivolgiti a { $organization }.

## Accesso sospeso.
mail-access-suspended-subject = Il tuo WiFi presso { $place } è sospeso
mail-access-suspended-ended = Il tuo piano presso { $place } è terminato, quindi il tuo accesso WiFi è sospeso.
mail-access-suspended-cancelled = Il tuo piano presso { $place } è stato annullato, quindi il tuo accesso WiFi è sospeso.
mail-access-suspended-ask = Domande? Rispondi a questa email o rivolgiti a { $organization }.

## Ospite.
mail-guest-invited-subject = Il WiFi per la tua riunione presso { $place }
mail-guest-invited-intro = Sei atteso presso { $place }. Durante la riunione, da { $from } a { $until }, puoi usare la rete WiFi { $network }.
mail-guest-invited-action = Apri la tua chiave ospite per vedere la password:
mail-guest-invited-button = Apri la mia chiave WiFi
