# Pages des membres et canvas de l'application. Un message par texte ; voir docs/i18n.md.
language-name = Français
language-switch = Langue : { $language }
language-switch-label = Langue
skip-to-content = Aller au contenu

## Refus du sélecteur de langue (POST /language)
language-bad-request = Ce choix de langue n'a pas pu être utilisé
language-unknown = Lanyard n'est pas traduit dans cette langue. Choisissez English, Français, Español, Deutsch, Português ou Italiano.
language-bad-back = La page de retour n'est pas une page de ce site.
language-cross-site = La langue ne peut être changée que depuis les pages de ce site.
back-home = Retour à l'accueil

## Pages communes
home-title = Portail Lanyard
home-text = Votre clé WiFi est à portée de main : ouvrez le lien du portail de votre espace, ou la tuile WiFi de l'application Optix.
not-found-title = Page introuvable
not-found-text = Il n'y a rien à cette adresse. Vérifiez le lien, ou ouvrez à nouveau le lien du portail de votre espace.
too-many-title = Trop de demandes
too-many-security = Pour votre sécurité, seules quelques demandes sont permises en peu de temps.
too-many-wait = Veuillez réessayer dans { $minutes ->
    [one] environ une minute
   *[other] environ { $minutes } minutes
}.
unavailable-title = Service WiFi momentanément indisponible
unavailable-text = Nous n'avons pas pu joindre le service qui gère l'accès WiFi. Rien n'est perdu : veuillez réessayer dans une minute.
try-again = Réessayer
form-expired-title = Ce formulaire a expiré
form-expired-text = Pour votre sécurité, un formulaire ne fonctionne que sur la page qui l'a affiché, avec les cookies activés. Revenez en arrière, rechargez la page et réessayez.
reload-page = Recharger la page
unknown-workspace-title = Espace de travail inconnu
unknown-workspace-text = Cette adresse n'appartient pas à un espace de travail qui utilise ce portail WiFi, ou l'espace l'a déconnecté.
unknown-workspace-hint = Vérifiez le lien que l'on vous a donné, ou demandez à l'accueil l'adresse du portail WiFi de votre espace.
unmapped-title = Le WiFi n'est pas encore configuré pour cet espace
unmapped-text = Votre espace de travail n'a pas encore relié cet emplacement à son WiFi : il n'y a pas de réseau pour lequel vous donner une clé.
unmapped-told = Nous avons prévenu les administrateurs. Adressez-vous à l'accueil, ou réessayez plus tard.
unmapped-detail = L'emplacement { $location } n'est pas relié.
error-database-title = Momentanément indisponible
error-database-text = Le portail ne peut pas joindre sa base de données. Veuillez réessayer dans une minute.
error-internal-title = Une erreur s'est produite
error-internal-text = Le portail n'a pas pu afficher cette page. Veuillez réessayer ; si cela se reproduit, prévenez l'accueil.

## Connexion par e-mail
email-form-title = WiFi à { $place }
email-form-intro = Saisissez l'adresse e-mail que vous utilisez avec votre espace de travail. Si elle appartient à un membre, nous vous envoyons un lien de connexion pour voir votre mot de passe WiFi personnel.
email-label = Adresse e-mail
email-send = M'envoyer un lien de connexion
email-invalid = Saisissez l'adresse e-mail que vous utilisez avec votre espace de travail, par exemple nom@exemple.com.
back-to-sign-in = Retour à la page de connexion
check-email-title = Consultez votre messagerie
check-email-sent = Si { $email } appartient à un membre, un lien de connexion est en route.
check-email-valid = Il ne sert qu'une fois et pendant { $minutes ->
    [one] une minute
   *[other] { $minutes } minutes
}.
check-email-spam = Rien reçu après quelques minutes ? Regardez dans vos courriers indésirables, ou vérifiez que vous avez saisi l'adresse connue de votre espace de travail.
check-email-other = Utiliser une autre adresse e-mail
signing-in-title = Connexion
signing-in-wait = Connexion en cours…
signing-in-needs-js = La connexion nécessite JavaScript : activez-le et ouvrez le lien à nouveau.
link-incomplete = Cette page vous connecte avec le lien reçu par e-mail, mais le lien est incomplet.
link-open-again = Ouvrez à nouveau le lien de l'e-mail, ou demandez-en un nouveau.
link-used-title = Ce lien de connexion a déjà servi
link-used-text = Chaque lien ne fonctionne qu'une fois. Si vous venez de vous connecter sur un autre appareil ou navigateur, vous pouvez vous connecter ici avec un nouveau lien.
link-expired-title = Ce lien de connexion a expiré
link-expired-text = Les liens de connexion sont valables { $minutes ->
    [one] une minute
   *[other] { $minutes } minutes
}. Demandez-en un nouveau : il arrive dans un instant.
link-invalid-title = Ce lien de connexion n'est pas valable ici
link-invalid-text = Le lien est incomplet, ou il appartient au portail d'un autre espace. Ouvrez à nouveau le lien de votre e-mail, ou demandez-en un nouveau ici.
link-new = M'envoyer un nouveau lien
signed-out-title = Vous êtes déconnecté
signed-out-text = Votre WiFi continue de fonctionner sur vos appareils : la déconnexion ferme seulement cette page.
sign-in-again = Se reconnecter
not-signed-in-title = Vous n'êtes pas connecté
not-signed-in-text = Pour voir votre clé WiFi, ouvrez le lien du portail WiFi de votre espace et demandez un lien de connexion, ou ouvrez WiFi depuis l'application Optix.

## Les canvas (application et tableau de bord Optix)
canvas-title = WiFi
canvas-open-from-app = Ouvrez WiFi depuis l'application Optix pour voir votre clé WiFi ici.
canvas-signed-in-already = Déjà connecté ? Votre clé est sur la page WiFi.
canvas-rejected-title = Nous n'avons pas pu vous connecter
canvas-rejected-text = Optix n'a pas confirmé votre identité : le jeton de connexion est absent, expiré ou non valable.
canvas-rejected-hint = Fermez cet écran et rouvrez-le depuis l'application ou le tableau de bord Optix.
canvas-admins-title = Réservé aux administrateurs
canvas-admins-text = Cette partie de l'application WiFi est destinée aux administrateurs de l'espace. Les membres trouvent leur clé WiFi dans la tuile WiFi de l'application Optix.
canvas-no-location-title = Ouvrez WiFi depuis un espace
canvas-no-location-text = L'application n'a pas indiqué dans quel espace vous êtes. Choisissez votre espace dans l'application Optix, puis ouvrez WiFi depuis son écran d'accueil.

## Accès et refus
get-key-title = Obtenez votre clé WiFi
get-key-text = Vous n'avez pas encore de compte WiFi. Nous vérifions votre abonnement et en créons un.
get-key-button = Obtenir ma clé WiFi
preparing-title = Votre compte WiFi est en préparation
preparing-text = Cela prend un instant. Rechargez la page pour voir votre clé.
reload = Recharger
no-location-title = Ouvrez WiFi depuis votre espace
no-location-text = Votre compte WiFi n'est encore rattaché à aucun espace. Ouvrez le lien du portail WiFi de votre espace, ou WiFi dans l'application de votre espace de travail, pour voir votre clé.
no-live-grant = Votre compte n'a aucun accès valable en ce moment (une réservation commence peut-être plus tard).
no-access-title = Aucun abonnement ni réservation en cours
no-access-text = Nous n'avons trouvé dans votre adhésion ni abonnement actif, ni réservation pour aujourd'hui dans cet espace : il n'y a pas encore d'accès WiFi à vous donner.
no-access-hint = Pour avoir le WiFi, démarrez un abonnement ou réservez un poste ou une salle pour aujourd'hui (dans l'application Optix ou à l'accueil), puis rouvrez cette page.
check-again = Vérifier à nouveau
suspended-title = Votre accès WiFi est suspendu
suspended-text = Votre compte WiFi est conservé, mais aucun abonnement ni réservation ne vous donne accès en ce moment (par exemple, un abonnement a pris fin ou a été annulé).
suspended-hint = Dès que vous avez de nouveau un abonnement actif ou une réservation, l'accès revient tout seul, avec le même mot de passe. Adressez-vous à l'accueil si cela vous semble anormal.
unknown-member-title = Nous n'avons pas trouvé votre adhésion
unknown-member-text = Le système des membres de l'espace ne vous connaît pas (ou plus). Si vous pensez que c'est une erreur, adressez-vous à l'accueil.
refused-title = Nous n'avons pas pu vous donner l'accès WiFi
refused-text = Le service WiFi a refusé la demande. Adressez-vous à l'accueil.
back-to-wifi = Retour à votre WiFi

## Refus d'une modification, par code
refusal-invalid-passphrase = Ce mot de passe ne respecte pas les règles : 8 à 63 caractères ; lettres, chiffres et symboles sauf les guillemets, \ ; , et : ; pas un mot de passe courant ou facile à deviner.
refusal-passphrase-taken = Ce mot de passe est déjà utilisé ; choisissez-en un autre.
refusal-device-limit = Vous avez enregistré autant d'appareils que votre abonnement le permet ; retirez-en un d'abord.
refusal-device-taken = Cet appareil est enregistré au nom d'un autre membre de l'espace.
refusal-invalid-mac = Ce n'est pas une adresse Wi-Fi (MAC). Écrivez-la comme AA:BB:CC:DD:EE:FF.
refusal-unknown-device = Cet appareil n'est pas enregistré sur votre compte.
refusal-no-account = Vous n'avez pas encore de compte WiFi.
refusal-other = Le service WiFi a refusé la modification : { $reason }

## La page de la clé
key-title = Votre WiFi
key-title-error = Erreur : Votre WiFi
key-done-changed = Votre nouveau mot de passe est enregistré. Reconnectez vos appareils avec celui-ci.
key-done-generated = Un nouveau mot de passe a été généré. Reconnectez vos appareils avec celui-ci.
key-done-device-added = L'appareil est ajouté.
key-done-device-removed = L'appareil est retiré.
key-network = Réseau
key-network-name = Nom du réseau
key-location = Espace
key-group = Groupe
key-vlan = VLAN
key-valid = Validité
key-valid-no-end = Sans date de fin : tant que votre abonnement court
key-valid-until-day = Jusqu'à la fin du { $day } ({ $zone })
key-valid-until = Jusqu'au { $time } ({ $zone })
key-online = En ligne maintenant
key-online-none = Aucun de vos appareils n'est connecté au WiFi en ce moment.
key-online-since = depuis le { $time }
key-passphrase = Mot de passe
key-passphrase-personal = Votre mot de passe est personnel : il connecte vos appareils, et seulement les vôtres.
key-show = Afficher le mot de passe et le code QR
key-hide = Masquer le mot de passe et le code QR
key-scan = Scannez pour rejoindre { $network } :
key-qr-label = Code QR pour rejoindre le réseau { $network }
key-copy = Copier le mot de passe
key-copied = Copié dans le presse-papiers.
key-change = Changer votre mot de passe
key-new-passphrase = Nouveau mot de passe
key-new-passphrase-hint = 8 à 63 caractères ; lettres, chiffres et symboles sauf les guillemets, \ ; , et :
key-set = Utiliser ce mot de passe
key-generate = Générer un nouveau mot de passe
key-reconnect = Après un changement, reconnectez vos appareils avec le nouveau mot de passe.
key-preparing = Votre mot de passe est en préparation. Rechargez la page dans un instant.
key-refresh = Actualiser
key-sign-out = Se déconnecter

## Appareils sur la page de la clé
devices-title = Vos appareils
devices-intro = Là où les points d'accès contrôlent les appareils, seuls ceux listés ici se connectent avec votre mot de passe. Vous pouvez enregistrer { $limit ->
    [one] un appareil
   *[other] jusqu'à { $limit } appareils
}.
devices-none = Aucun appareil enregistré pour l'instant.
devices-remove = Retirer { $name }
devices-add = Ajouter un appareil
devices-name = Nom
devices-name-hint = p. ex. Mon téléphone
devices-mac = Adresse Wi-Fi (MAC)
devices-mac-hint = p. ex. AA:BB:CC:DD:EE:FF
devices-add-button = Ajouter cet appareil
devices-bound-tenant = Ajouté par le membre
devices-bound-admin = Ajouté par un administrateur
devices-bound-accounting = Associé par le réseau à sa première connexion
devices-bound-handshake = Associé par le réseau lors de la négociation de clé
devices-seen = dernière connexion au WiFi le { $last } (première le { $first })
devices-not-seen = pas connecté au WiFi récemment
devices-help = Où trouver l'adresse Wi-Fi de mon appareil ?
devices-help-intro = Les téléphones et ordinateurs utilisent une adresse privée pour chaque réseau. Choisissez d'abord le réseau (essayez de le rejoindre une fois), puis lisez l'adresse affichée pour ce réseau :
devices-help-iphone = <strong>iPhone, iPad</strong> : Réglages → Wi-Fi → touchez ⓘ à côté du réseau. Réglez <em>Adresse Wi-Fi privée</em> sur <em>Fixe</em> (sous iOS 17 et avant : laissez-la activée) ; l'adresse figure sous <em>Adresse Wi-Fi</em>.
devices-help-android = <strong>Android</strong> : Paramètres → Réseau et Internet → Internet (ou Wi-Fi) → la roue dentée à côté du réseau. Sous <em>Confidentialité</em>, gardez <em>Utiliser une adresse MAC aléatoire</em> ; l'adresse figure sous <em>Détails du réseau</em> → <em>Adresse MAC</em> (les noms varient selon le fabricant).
devices-help-mac = <strong>Mac</strong> : Réglages Système → Wi-Fi → <em>Détails…</em> à côté du réseau. Réglez <em>Adresse Wi-Fi privée</em> sur <em>Fixe</em> ; l'adresse s'affiche juste en dessous.
devices-help-windows = <strong>Windows 11</strong> : Paramètres → Réseau et Internet → Wi-Fi → les propriétés du réseau. Réglez <em>Adresses matérielles aléatoires</em> sur <em>Activé</em> (pas <em>Changer tous les jours</em>) ; l'adresse est l'<em>Adresse physique (MAC)</em>, en bas.
devices-help-rotating = Un réglage qui change l'adresse (rotative, changement quotidien) rend l'appareil de nouveau inconnu : enregistrez alors la nouvelle adresse.
