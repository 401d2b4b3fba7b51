# Emails to tenants.

## Comum a todos os emails.
mail-greeting = Olá,
mail-sign-off = A equipa de { $organization }
mail-link-note = A ligação funciona uma só vez, durante { $hours ->
    [one] uma hora
   *[other] { $hours } horas
}. Se tiver expirado, peça uma nova na mesma página.
mail-never-passphrase = Para sua segurança, este email nunca contém a sua palavra-passe.

## Boas-vindas.
mail-welcome-subject = O seu WiFi em { $place }
mail-welcome-intro = Bem-vindo! Já tem acesso ao WiFi em { $place }.
mail-welcome-network = A rede chama-se { $network }.
mail-welcome-action = Abra a sua página de chave para ver a sua palavra-passe pessoal e ligar os seus dispositivos:
mail-welcome-button = Abrir a minha chave WiFi

## Chave alterada.
mail-key-changed-subject = A sua palavra-passe WiFi em { $place } foi alterada
mail-key-changed-intro = A sua palavra-passe pessoal da rede { $network } foi alterada.
mail-key-changed-action = Volte a ligar os seus dispositivos com a nova palavra-passe. A sua página de chave mostra-a:
mail-key-changed-button = Ver a minha nova chave

## Fim do acesso próximo.
mail-access-ending-subject = O seu WiFi em { $place } termina a { $ends }
mail-access-ending-intro = O seu acesso WiFi em { $place } termina a { $ends } (hora local).
mail-access-ending-action = Se o seu plano continuar, nada muda para si. Para manter o acesso, fale com { $organization }.

## Acesso suspenso.
mail-access-suspended-subject = O seu WiFi em { $place } está suspenso
mail-access-suspended-ended = O seu plano em { $place } terminou, por isso o seu acesso WiFi está suspenso.
mail-access-suspended-cancelled = O seu plano em { $place } foi cancelado, por isso o seu acesso WiFi está suspenso.
mail-access-suspended-ask = Dúvidas? Responda a este email ou fale com { $organization }.

## Convidado.
mail-guest-invited-subject = WiFi para a sua reunião em { $place }
mail-guest-invited-intro = É esperado em { $place }. Durante a sua reunião, de { $from } a { $until }, pode usar a rede WiFi { $network }.
mail-guest-invited-action = Abra a sua chave de convidado para ver a palavra-passe:
mail-guest-invited-button = Abrir a minha chave WiFi
