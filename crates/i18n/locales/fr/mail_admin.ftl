# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

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
