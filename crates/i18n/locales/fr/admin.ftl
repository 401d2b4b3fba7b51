# Pages d'administration et canevas d'administration (issue 21). Un message par texte ; les
# termes d'opérateur (VLAN, NAS, RADIUS, PPSK, SSID, CoA) restent tels quels dans chaque langue.

## Cadre, navigation, mots partagés

admin-brand = Administration du WiFi
admin-skip = Aller au contenu
admin-nav-label = Sections
admin-nav-home = Vue d'ensemble
admin-nav-connection = Connexion
admin-nav-locations = Sites
admin-nav-nas = Points d'accès
admin-nav-controllers = Contrôleurs WiFi
admin-nav-plans = Forfaits
admin-nav-members = Membres
admin-nav-sessions = Sessions
admin-hint-optional = facultatif
admin-none = aucun
admin-sealed = (scellé)
admin-utc-time = { $time } UTC
admin-test-connection = Tester la connexion
admin-connection-works = La connexion fonctionne : { $answer }.
admin-no-location-mapped = Aucun site n'est encore associé :
admin-map-location-first = associez d'abord un site
admin-remove = Retirer { $name }
admin-col-remove = Retirer
admin-col-name = Nom
admin-col-location = Site
admin-col-member = Membre
admin-col-status = Statut
admin-col-finished = Terminée
admin-col-outcome = Résultat
admin-col-vlan = VLAN

## Mots pour des valeurs enregistrées en anglais

admin-word-initial = initiale
admin-word-periodic = périodique
admin-word-manual = manuelle
admin-word-ok = ok
admin-word-failed = échec
admin-word-active = actif
admin-word-suspended = suspendu
admin-word-live = actif
admin-word-open-ended = sans date de fin
admin-notification-sync-failed = échec de synchronisation
admin-notification-unmapped-location = site non associé
admin-notification-group-without-vlan = groupe sans VLAN
admin-notification-unmapped-location-text = Un locataire a demandé le WiFi au site { $platform } { $location }, qui n'est associé à aucun site Lanyard.
admin-group-vlan = { $group } (VLAN { $vlan })
admin-group-no-vlan = { $group } (sans VLAN)
admin-vlan-only = VLAN { $vlan }

## Ce qu'a fait un formulaire

admin-done-location-mapped = L'association du site est enregistrée.
admin-done-location-unmapped = Le site n'est plus associé.
admin-done-plan-mapped = Le profil du forfait est enregistré.
admin-done-plan-unmapped = Le forfait utilise de nouveau le profil par défaut.
admin-done-default-set = Le profil par défaut est enregistré.
admin-done-pool-set = La plage de VLAN de l'organisation est enregistrée.
admin-done-sync-started = La synchronisation avec la plateforme des membres a eu lieu.
admin-done-nas-registered = Le point d'accès est enregistré.
admin-done-nas-removed = Le point d'accès est retiré : ses requêtes sont désormais ignorées.
admin-done-device-removed = L'appareil est retiré.
admin-done-officernd-connected = OfficeRnD est connecté : ses membres, abonnements et réservations sont en cours d'importation.
admin-done-controller-mapped = Le contrôleur WiFi est enregistré : ses clés suivent en quelques secondes.
admin-done-controller-unmapped = Le contrôleur WiFi n'est plus associé : ses clés y restent jusqu'à leur suppression dans le tableau de bord du fabricant.

## Problèmes de formulaire

admin-error-unknown-action = Action inconnue.
admin-error-unknown-location = Site inconnu.
admin-error-unknown-plan = Forfait inconnu.
admin-error-unknown-nas = Point d'accès inconnu.
admin-error-refused = Refusé : { $reason }.
admin-error-provision-refused = La modification a été refusée : { $reason }
admin-error-whole-number = { $field } doit être un nombre entier (saisi : { $value }).
admin-error-pool-both = Une plage de VLAN a besoin de son premier et de son dernier VLAN (ou d'aucun des deux).
admin-error-choose-vendor = Choisissez le fabricant du point d'accès.
admin-error-choose-location = Choisissez un site.
admin-error-required = « { $field } » est obligatoire.
admin-error-ssid-number = Le numéro de SSID doit être un nombre entier de 0 à 14.
admin-error-credential = L'identifiant d'accès doit compter au moins { $min } caractères, sans espaces.
admin-field-vlan = Le VLAN
admin-field-upload = La limite d'envoi
admin-field-download = La limite de téléchargement
admin-field-duration = La durée
admin-field-devices = Le nombre d'appareils
admin-field-vlan-first = Le premier VLAN
admin-field-vlan-last = Le dernier VLAN
admin-field-coa-port = Le port CoA
admin-field-ssid = SSID

## Connexion à l'administration

admin-canvas-open-from-optix = Ouvrez l'application WiFi depuis le tableau de bord Optix (Apps, ou l'entrée de menu WiFi) pour la gérer ici.
admin-signed-out-title = Veuillez ouvrir l'administration du WiFi depuis Optix
admin-signed-out-text = Votre session d'administration a expiré ou n'a jamais commencé ici. Ouvrez l'application WiFi depuis le tableau de bord Optix (Apps → Gérer les apps → Configurer, ou l'entrée de menu WiFi) : elle vous connecte.

## Vue d'ensemble

admin-home-signed-in = Connecté en tant que { $name } (organisation { $org }).
admin-home-user = utilisateur { $user }
admin-home-notifications = Notifications
admin-home-no-notifications = Aucune notification : chaque site utilisé par des locataires est associé, les synchronisations réussissent et chaque groupe a un VLAN.
admin-col-when = Quand
admin-col-what = Quoi
admin-col-about = Concerne
admin-col-details = Détails
admin-home-syncs = Synchronisations récentes avec { $platform }
admin-home-no-syncs = Aucune synchronisation n'a encore eu lieu.
admin-col-kind = Type
admin-col-users-seen = Utilisateurs vus
admin-col-corrected = Corrigés
admin-col-events = Événements
admin-col-reason = Motif
admin-home-sync-now = Synchroniser avec { $platform } maintenant
admin-home-groups = Groupes d'équipe
admin-home-no-groups = Aucune équipe n'a encore de membres WiFi.
admin-col-team = Équipe
admin-col-members = Membres

## Connexion

admin-connection-officernd = L'organisation { $org } est connectée à OfficeRnD : les membres y reçoivent le WiFi grâce à leurs abonnements, réservations et pass journée. Lanyard synchronise toutes les 15 minutes et à chaque webhook.
admin-connection-platform = Plateforme
admin-connection-slug = Slug de l'organisation
admin-connection-client-id = Identifiant client
admin-connection-client-secret = Secret client
admin-connection-sealed = conservé scellé (non affiché)
admin-connection-optix = L'organisation { $org } est connectée à Optix par l'application Lanyard ; sa connexion se gère dans Optix (Apps → Gérer les apps).
admin-connection-next = Ensuite, associez les sites aux réseaux WiFi et les forfaits aux profils d'accès :
admin-connection-nothing-to-test = Cette organisation est connectée par l'application Optix : il n'y a rien à tester ici.
admin-connection-other-org = Les identifiants enregistrés lisent une autre organisation, { $name } ({ $org }) : connectez-vous de nouveau avec ceux de cette organisation.

## Sites

admin-locations-intro = Associez chaque site { $platform } à son réseau WiFi. Les locataires d'un site non associé voient une erreur et vous recevez une notification.
admin-location-platform-id = (site { $platform } { $location })
admin-location-fallback = Site { $location }
admin-location-mapped = Associé
admin-location-network = réseau
admin-location-not-mapped = Non associé
admin-location-unmapped-uses = { $count ->
    [one] des locataires ont demandé le WiFi ici une fois alors qu'il n'était pas associé
   *[other] des locataires ont demandé le WiFi ici { $count } fois alors qu'il n'était pas associé
}
admin-location-name = Nom du site
admin-location-network-name = Nom du réseau (SSID)
admin-location-timezone = Fuseau horaire
admin-location-timezone-hint = nom IANA, par ex. Europe/Paris
admin-location-roaming = Où les clés fonctionnent
admin-roaming-single = Seulement sur ce site
admin-roaming-all = Sur tous les sites
admin-roaming-plan = Là où le forfait du membre est valable
admin-location-pool-first = Plage de VLAN : premier
admin-hint-vlan = facultatif, 1–4094
admin-location-pool-last = Plage de VLAN : dernier
admin-location-save = Enregistrer l'association
admin-location-map = Associer ce site
admin-location-unmap = Dissocier { $location }
admin-locations-none = { $platform } n'affiche aucun site que vous gérez.

## Points d'accès (NAS)

admin-nas-intro = Les points d'accès et contrôleurs (NAS) autorisés à demander les clés des membres au serveur RADIUS de Lanyard. Une requête venant d'une adresse absente de cette liste est ignorée. Associez d'abord un site ; le guide RADIUS donne les réglages de chaque fabricant.
admin-nas-network = (réseau { $network })
admin-nas-none = Aucun point d'accès n'est encore enregistré ici.
admin-nas-at = Points d'accès de { $location }
admin-col-id = Identifiant
admin-col-address = Adresse
admin-col-vendor = Fabricant
admin-col-ssids = SSID
admin-col-coa-port = Port CoA
admin-nas-add = Ajouter ou modifier un point d'accès
admin-nas-id-hint = a–z, 0–9 et -, par ex. lobby-ap-1 ; un identifiant existant modifie ce point d'accès
admin-nas-address-hint = d'où viennent ses requêtes RADIUS : 10.0.0.7 ou 10.0.0.0/24
admin-nas-ssids-hint = un par ligne, 32 octets au plus chacun
admin-nas-coa-hint = facultatif, 3799 s'il est vide
admin-nas-secret = Secret partagé
admin-nas-secret-hint = 16 à 128 caractères, sans espaces ; laissez vide pour garder le secret actuel en modifiant un point d'accès
admin-nas-save = Enregistrer le point d'accès
admin-dialect-meraki = Meraki (iPSK avec RADIUS)

## Contrôleurs WiFi

admin-controllers-intro-before = Lanyard maintient les clés de ces contrôleurs identiques aux siennes : une clé modifiée ou supprimée dans le tableau de bord du fabricant est rétablie au rapprochement suivant. Associez un site ci-dessous (ou avec
admin-controllers-intro-after = ) ; l'identifiant d'accès est conservé scellé et n'est plus jamais affiché.
admin-controller-heading = Site { $location } : { $vendor }
admin-controller-unmap = Dissocier le site { $location }
admin-controller-not-reconciled = Pas encore rapproché.
admin-controller-recent = Derniers rapprochements
admin-col-why = Pourquoi
admin-col-created = Créées
admin-col-updated = Mises à jour
admin-col-deleted = Supprimées
admin-col-drift = Écarts corrigés
admin-controllers-none = Aucun site n'est associé à un contrôleur WiFi.
admin-controller-map-heading = Associer un site à un contrôleur
admin-controller-map-replaces = Associer un site qui a déjà un contrôleur remplace celui-ci.
admin-vendor-meraki = Meraki (identity PSK)
admin-vendor-openwrt = Groupe de points d'accès OpenWrt
admin-vendor-unifi = UniFi (clés pré-partagées privées)
admin-vendor-mist = Mist (PSK)
admin-meraki-org = Identifiant d'organisation Meraki
admin-meraki-network = Identifiant de réseau
admin-meraki-ssid = Numéro de SSID
admin-meraki-key = Clé d'API du tableau de bord
admin-openwrt-group = Nom du groupe de points d'accès
admin-openwrt-token = Jeton de récupération
admin-openwrt-token-hint = au moins 32 caractères ; les routeurs l'envoient
admin-unifi-url = URL de l'application Network
admin-unifi-url-hint = https://console/proxy/network sous UniFi OS
admin-unifi-site = Site
admin-unifi-site-hint = default s'il est vide
admin-unifi-wlan = Identifiant du WLAN
admin-unifi-key = Clé d'API
admin-mist-org = Identifiant d'organisation Mist
admin-mist-site = Identifiant de site
admin-mist-site-hint = facultatif : PSK de l'organisation s'il est vide
admin-mist-token = Jeton d'API
admin-controller-map-to = Associer à { $vendor }
admin-target-meraki = organisation { $org }, réseau { $network }, SSID { $ssid }
admin-target-openwrt = groupe de points d'accès { $group }
admin-target-unifi = UniFi { $url }, site { $site }, WLAN { $wlan }
admin-target-mist-site = site Mist { $site }, SSID { $ssid }
admin-target-mist-org = organisation Mist { $org }, SSID { $ssid }
admin-controller-none-mapped = Aucun contrôleur n'est associé à ce site.
admin-controller-nothing-to-reach = Les routeurs OpenWrt récupèrent leur fichier de clés auprès de Lanyard ; rien à joindre
admin-controller-unexpected = Le contrôleur n'a pas répondu comme prévu : { $error }.

## Forfaits et profils d'accès

admin-plans-heading = Forfaits et profils d'accès
admin-plans-intro = Chaque forfait { $platform } donne un profil d'accès : WiFi activé ou non, un VLAN, des limites de débit, une durée et le nombre d'appareils qu'un membre peut enregistrer. Les forfaits non associés utilisent le profil par défaut.
admin-pool-heading = Plage de VLAN de l'organisation
admin-pool-intro = Les groupes d'équipe reçoivent leur VLAN de cette plage (ou de celle de leur site quand elle est vide).
admin-pool-first = Premier VLAN
admin-pool-last = Dernier VLAN
admin-pool-save = Enregistrer la plage
admin-pool-hint = Laissez les deux vides pour n'utiliser que les plages des sites.
admin-default-heading = Profil par défaut
admin-default-save = Enregistrer le profil par défaut
admin-plans-error = { $platform } n'a pas listé les forfaits : { $error }. Rouvrez l'administration du WiFi depuis { $platform } pour réessayer.
admin-plan-id = (forfait { $plan })
admin-plan-fallback = Forfait { $plan }
admin-plan-own = Profil propre
admin-plan-save = Enregistrer le profil
admin-plan-give = Donner à ce forfait son propre profil
admin-plan-unmap = Revenir au profil par défaut
admin-profile-name = Nom du profil
admin-profile-wifi = WiFi inclus
admin-profile-vlan-hint = facultatif ; le VLAN du groupe d'équipe passe en premier
admin-profile-hours = Durée (heures)
admin-profile-hours-hint = facultatif, par ex. 24 pour un pass journée
admin-profile-down = Limite de téléchargement (kbit/s)
admin-profile-up = Limite d'envoi (kbit/s)
admin-profile-devices = Appareils par membre
admin-profile-devices-hint = facultatif, 1–100 ; 5 s'il est vide

## Membres

admin-members-count = { $total ->
    [one] { $total } compte WiFi
   *[other] { $total } comptes WiFi
}
admin-members-shown = , { $first }–{ $last } affichés
admin-members-open = Ouvrez-en un pour voir son historique.
admin-members-times = Les heures sont dans le fuseau horaire du site de chaque membre.
admin-col-access = Accès
admin-col-valid-until = Valable jusqu'au
admin-col-group = Groupe
admin-members-user = utilisateur { $user }
admin-members-none = Aucun membre n'a encore de compte WiFi.
admin-members-past-end = Cette page est au-delà du dernier membre :
admin-members-back-first = retour à la première page
admin-members-pages = Pages des membres
admin-previous = ← Précédente
admin-next = Suivante →
admin-no-page-title = Page introuvable
admin-no-page-text = Le numéro de page doit être un nombre entier à partir de 1.

## Un membre

admin-member-all = ← Tous les membres
admin-member-title = { $name } · Membre
admin-member-title-id = Membre { $user }
admin-member-email = E-mail
admin-member-platform-user = Utilisateur { $platform }
admin-member-group-vlan = Groupe / VLAN
admin-member-devices = Appareils
admin-member-devices-limit = Au plus { $limit } appareils (la plus grande limite des profils des forfaits en cours du membre).
admin-member-no-devices = Aucun appareil enregistré.
admin-col-wifi-address = Adresse Wi-Fi
admin-col-how = Comment
admin-col-added = Ajouté
admin-col-seen = Vu
admin-member-history = Historique
admin-member-history-note = Chaque modification de ce compte, de la plus ancienne à la plus récente, à l'heure de { $tz }.
admin-member-by = { $line } — par { $actor }
admin-no-member-title = Membre introuvable
admin-no-member-text = Cette organisation n'a aucun compte WiFi pour cet utilisateur.

## Sessions

admin-sessions-intro = Les appareils connectés au WiFi en ce moment, par site, tels que les points d'accès les signalent (comptabilité RADIUS). Les heures sont dans le fuseau horaire de chaque site ; ↓ est ce que l'appareil a téléchargé.
admin-sessions-online = { $count } en ligne
admin-sessions-truncated = , les { $limit } plus récents affichés
admin-sessions-none = Aucun appareil n'est en ligne sur ce site.
admin-sessions-at = Sessions de { $location }
admin-times-in = Heures en { $tz }.
admin-col-device = Appareil
admin-col-nas = Point d'accès
admin-col-since = Depuis
admin-col-last-report = Dernier signalement
admin-col-traffic = Trafic
admin-session-no-member = appareil non rattaché à un membre
admin-session-deleted = (compte supprimé)

## OfficeRnD

admin-officernd-member = Membre OfficeRnD { $member }
admin-officernd-refused-title = La signature d'OfficeRnD a été refusée
admin-officernd-refused-text = Rouvrez l'administration du WiFi depuis OfficeRnD (sa page d'intégration signe chaque visite).
admin-officernd-continue-intro = OfficeRnD a ouvert l'administration du WiFi de Lanyard pour l'organisation { $org }.
admin-officernd-continue = Continuer vers l'administration du WiFi
admin-officernd-connect-title = Connecter OfficeRnD
admin-officernd-connect-intro-before = Connectez votre organisation OfficeRnD à Lanyard : les membres reçoivent alors leur WiFi grâce à leurs abonnements, réservations et pass journée. Il vous faut le code de connexion que votre opérateur Lanyard vous a donné (
admin-officernd-connect-intro-after = ), et depuis OfficeRnD (Settings → Developer Tools) l'identifiant et le secret client d'une application ainsi que le secret du webhook qui envoie à Lanyard.
admin-officernd-code = Code de connexion
admin-officernd-client-secret-hint = conservé scellé, jamais réaffiché
admin-officernd-webhook-secret = Secret du webhook
admin-officernd-webhook-secret-hint = nécessaire pour connecter, pas pour tester
admin-officernd-connect = Connecter
admin-officernd-bad-slug = Le slug est le nom de l'organisation dans les adresses d'OfficeRnD (app.officernd.com/admin/<slug>) : lettres, chiffres, - et _.
admin-officernd-give-client-id = Indiquez l'identifiant client de l'application.
admin-officernd-give-client-secret = Indiquez le secret client de l'application.
admin-officernd-connected-already = { $name } est déjà connecté : ouvrez l'administration du WiFi depuis OfficeRnD pour le gérer.
admin-officernd-bad-credentials = OfficeRnD a refusé l'identifiant et le secret client pour ce slug d'organisation : vérifiez-les (Settings → Developer Tools → Applications) ainsi que le slug.
admin-officernd-forbidden = OfficeRnD a refusé l'accès : accordez à l'application les droits de lecture.
admin-officernd-unreachable = OfficeRnD est injoignable ({ $error }) ; réessayez dans un instant.
