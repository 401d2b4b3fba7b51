# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The organization's email settings (admin canvas, "Emails").
mail-settings-nav = E-mails
mail-settings-heading = E-mails aux membres
mail-settings-intro = Lanyard écrit à vos membres lorsqu'ils obtiennent le WiFi dans un espace pour la première fois, lorsque leur phrase de passe change, avant la fin de leur accès, lorsqu'il est suspendu et lorsqu'ils sont invités à une réunion. Choisissez lesquels de ces e-mails partent, de la part de qui, et quand partent les rappels.
mail-settings-messages-heading = Messages
mail-settings-messages-intro = Désactivez un message pour ne plus l'envoyer à aucun membre de l'organisation.
mail-settings-kind-welcome = Bienvenue
    .hint = Le nom du réseau et un lien de connexion, au premier accès d'un membre à un espace.
mail-settings-kind-key-changed = Phrase de passe modifiée
    .hint = Lorsqu'un administrateur change la phrase de passe d'un membre ou qu'une nouvelle est générée : reconnectez vos appareils.
mail-settings-kind-access-ending = Fin d'accès proche
    .hint = Un rappel avant la fin d'un abonnement, d'une réservation ou d'un pass journée.
mail-settings-kind-access-suspended = Accès suspendu
    .hint = Lorsqu'un abonnement a pris fin ou a été résilié : ce qui s'est passé et à qui s'adresser.
mail-settings-kind-guest-invited = Invité à une réunion
    .hint = Le WiFi d'un invité pour la durée de la réunion, avec le lien de connexion.
mail-settings-sender-heading = Expéditeur
mail-settings-sender-name = Nom de l'expéditeur
    .hint = Affiché comme l'expéditeur de l'e-mail, par exemple le nom de votre espace de coworking. Laissez vide pour le nom par défaut de Lanyard.
mail-settings-reply-to = Adresse de réponse
    .hint = Où arrivent les réponses des membres, par exemple votre accueil. Laissez vide pour n'en avoir aucune.
mail-settings-reminders-heading = Rappels
mail-settings-plan-reminder = Heures avant la fin d'un abonnement
    .hint = Entre 1 et 720 (30 jours) ; 24 sauf si vous le changez.
mail-settings-booking-reminder = Heures avant la fin d'une réservation ou d'un pass journée
    .hint = Entre 1 et 720, ou vide pour aucun rappel (par défaut : les réservations du jour n'en ont pas besoin).
mail-settings-wording-heading = Formulation
mail-settings-wording-intro = Les e-mails de chaque langue utilisent la formulation de Lanyard, affichée à côté du champ. Pour reformuler un message, copiez-le dans le champ avec son nom et modifiez son texte ; gardez les noms qui commencent par $, ils sont remplacés par les informations du membre. Laissez le champ vide pour utiliser la formulation de Lanyard.
mail-settings-wording-own = Votre formulation ({ $language })
    .hint = Uniquement les messages que vous modifiez, au même format que la formulation de Lanyard.
mail-settings-wording-catalogue = La formulation de Lanyard ({ $language })
mail-settings-save = Enregistrer les réglages des e-mails
mail-settings-saved = Les réglages des e-mails sont enregistrés.
mail-settings-error-reply-to = L'adresse de réponse « { $address } » n'est pas une adresse e-mail : indiquez-en une comme accueil@exemple.fr.
mail-settings-error-sender-empty = Le nom de l'expéditeur est vide : indiquez-en un, ou laissez le champ vide pour le nom par défaut.
mail-settings-error-sender-long = Le nom de l'expéditeur compte { $length } caractères ; { $max } au plus sont autorisés.
mail-settings-error-sender-character = Le nom de l'expéditeur ne peut pas contenir { $character } : les guillemets, les chevrons, les barres obliques inverses et les retours à la ligne cassent la ligne d'expéditeur de l'e-mail.
mail-settings-error-plan-hours = Le rappel d'abonnement doit partir entre 1 et 720 heures avant la fin (et non { $hours }).
mail-settings-error-booking-hours = Le rappel de réservation doit partir entre 1 et 720 heures avant la fin (et non { $hours }), ou rester vide.
mail-settings-error-language = { $language } n'est pas une langue dans laquelle Lanyard écrit.
mail-settings-error-wording-syntax = Votre formulation ({ $language }), ligne { $line } : { $reason }
mail-settings-error-wording-unknown = Votre formulation ({ $language }) nomme { $message }, qui n'est pas un message de Lanyard : ne reformulez que des messages existants.
mail-settings-error-wording-long = Votre formulation ({ $language }) fait { $bytes } octets ; 65536 au plus sont autorisés.

## Journal des envois (mail-log-*).
mail-log-nav = E-mails envoyés
mail-log-title = E-mails aux membres
mail-log-intro = Les derniers e-mails que Lanyard a envoyés à vos membres (ou a décidé de ne pas envoyer), du plus récent au plus ancien. Les adresses ne sont jamais enregistrées ; un e-mail en échec est réessayé à intervalles croissants.
mail-log-empty = Aucun e-mail n’a encore été envoyé.
mail-log-caption = Heures en { $timezone }.
mail-log-limit = { $limit ->
    [one] Seul l’e-mail le plus récent est affiché.
   *[other] Au plus les { $limit } e-mails les plus récents sont affichés.
}
mail-log-kind = Message
mail-log-member = Membre
mail-log-outcome = Résultat
mail-log-when = Quand
mail-log-attempts = Tentatives
mail-log-reason = Dernière erreur
mail-log-member-gone = (compte supprimé)
mail-log-kind-welcome = Bienvenue
mail-log-kind-key-changed = Phrase secrète changée
mail-log-kind-access-ending = Fin d’accès prochaine
mail-log-kind-access-suspended = Accès suspendu
mail-log-kind-guest-invited = Invitation d’un invité
mail-log-outcome-sending = En cours d’envoi
mail-log-outcome-sent = Envoyé
mail-log-outcome-failed = Échec, nouvel essai prévu
mail-log-outcome-skipped-off = Non envoyé : désactivé
mail-log-outcome-skipped-deleted = Non envoyé : membre supprimé
