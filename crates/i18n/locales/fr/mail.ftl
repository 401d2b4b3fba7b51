# Emails to tenants.

## Commun à tous les e-mails.
mail-greeting = Bonjour,
mail-sign-off = L’équipe { $organization }
mail-link-note = Le lien ne fonctionne qu’une fois, dans un délai de { $hours ->
    [one] une heure
   *[other] { $hours } heures
}. S’il a expiré, demandez-en un nouveau sur la même page.
mail-never-passphrase = Pour votre sécurité, cet e-mail ne contient jamais votre phrase secrète.

## Bienvenue : premier accès du membre à un site.
mail-welcome-subject = Votre WiFi à { $place }
mail-welcome-intro = Bienvenue ! Vous avez désormais accès au WiFi à { $place }.
mail-welcome-network = Le réseau s’appelle { $network }.
mail-welcome-action = Ouvrez votre page de clé pour voir votre phrase secrète personnelle et connecter vos appareils :
mail-welcome-button = Ouvrir ma clé WiFi

## Clé changée.
mail-key-changed-subject = Votre phrase secrète WiFi à { $place } a changé
mail-key-changed-intro = Votre phrase secrète personnelle pour le réseau { $network } a changé.
mail-key-changed-action = Reconnectez vos appareils avec la nouvelle phrase secrète. Votre page de clé l’affiche :
mail-key-changed-button = Voir ma nouvelle clé

## Fin d’accès prochaine.
mail-access-ending-subject = Votre WiFi à { $place } prend fin le { $ends }
mail-access-ending-intro = Votre accès WiFi à { $place } prend fin le { $ends } (heure locale).
mail-access-ending-action = Si votre abonnement continue, rien ne change pour vous. Pour garder votre accès, adressez-vous à { $organization }.

## Accès suspendu.
mail-access-suspended-subject = Votre WiFi à { $place } est suspendu
mail-access-suspended-ended = Votre abonnement à { $place } est arrivé à son terme : votre accès WiFi est suspendu.
mail-access-suspended-cancelled = Votre abonnement à { $place } a été annulé : votre accès WiFi est suspendu.
mail-access-suspended-ask = Des questions ? Répondez à cet e-mail ou adressez-vous à { $organization }.

## Invité.
mail-guest-invited-subject = Le WiFi de votre réunion à { $place }
mail-guest-invited-intro = Vous êtes attendu à { $place }. Pendant votre réunion, du { $from } au { $until }, vous pouvez utiliser le réseau WiFi { $network }.
mail-guest-invited-action = Ouvrez votre clé d’invité pour voir la phrase secrète :
mail-guest-invited-button = Ouvrir ma clé WiFi
