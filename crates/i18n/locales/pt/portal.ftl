# Páginas dos membros e canvas da aplicação. Uma mensagem por texto; ver docs/i18n.md.
language-name = Português
language-switch = Idioma: { $language }
language-switch-label = Idioma
skip-to-content = Saltar para o conteúdo

## Recusas do seletor de idioma (POST /language)
language-bad-request = Não foi possível usar esta escolha de idioma
language-unknown = O Lanyard não está traduzido para este idioma. Escolha English, Français, Español, Deutsch, Português ou Italiano.
language-bad-back = A página para onde voltar não é uma página deste site.
language-cross-site = O idioma só pode ser mudado a partir das páginas deste site.
back-home = Voltar ao início

## Páginas comuns
home-title = Portal Lanyard
home-text = A sua chave WiFi está a um passo: abra a ligação do portal do seu espaço, ou o mosaico WiFi da aplicação Optix.
not-found-title = Página não encontrada
not-found-text = Não há nada neste endereço. Verifique a ligação, ou abra de novo a ligação do portal do seu espaço.
too-many-title = Demasiados pedidos
too-many-security = Para sua segurança, só são permitidos alguns pedidos num curto espaço de tempo.
too-many-wait = Tente novamente dentro de { $minutes ->
    [one] cerca de um minuto
   *[other] cerca de { $minutes } minutos
}.
unavailable-title = Serviço WiFi temporariamente indisponível
unavailable-text = Não conseguimos contactar o serviço que gere o acesso WiFi. Nada se perdeu: tente novamente dentro de um minuto.
try-again = Tentar novamente
form-expired-title = Este formulário expirou
form-expired-text = Para sua segurança, os formulários só funcionam na página que os mostrou, com os cookies ativados. Volte atrás, recarregue a página e tente novamente.
reload-page = Recarregar a página
unknown-workspace-title = Espaço de trabalho desconhecido
unknown-workspace-text = Este endereço não pertence a um espaço de trabalho que use este portal WiFi, ou o espaço desligou-o.
unknown-workspace-hint = Verifique a ligação que recebeu, ou peça na receção o endereço do portal WiFi do seu espaço.
unmapped-title = O WiFi ainda não está configurado para este espaço
unmapped-text = O seu espaço de trabalho ainda não ligou este local ao seu WiFi, por isso não há nenhuma rede para a qual lhe dar uma chave.
unmapped-told = Avisámos os administradores. Pergunte na receção, ou tente novamente mais tarde.
unmapped-detail = O local { $location } não está associado.
error-database-title = Temporariamente indisponível
error-database-text = O portal não consegue aceder à sua base de dados neste momento. Tente novamente dentro de um minuto.
error-internal-title = Algo correu mal
error-internal-text = O portal não conseguiu mostrar esta página. Tente novamente; se continuar a acontecer, avise a receção.

## Entrada por e-mail
email-form-title = WiFi em { $place }
email-form-intro = Introduza o endereço de e-mail que usa com o seu espaço de trabalho. Se pertencer a um membro, enviamos-lhe uma ligação de entrada para ver a sua palavra-passe WiFi pessoal.
email-label = Endereço de e-mail
email-send = Enviar-me uma ligação de entrada
email-invalid = Introduza o endereço de e-mail que usa com o seu espaço de trabalho, por exemplo nome@exemplo.com.
back-to-sign-in = Voltar à página de entrada
check-email-title = Consulte o seu e-mail
check-email-sent = Se { $email } pertencer a um membro, vai a caminho uma ligação de entrada.
check-email-valid = Funciona uma única vez e durante { $minutes ->
    [one] um minuto
   *[other] { $minutes } minutos
}.
check-email-spam = Não chegou nada após alguns minutos? Veja a pasta de spam, ou confirme que usou o endereço que o seu espaço de trabalho conhece.
check-email-other = Usar outro endereço de e-mail
signing-in-title = A entrar
signing-in-wait = A iniciar a sua sessão…
signing-in-needs-js = Para entrar é preciso JavaScript: ative-o e abra a ligação novamente.
link-incomplete = Esta página inicia a sua sessão com a ligação do seu e-mail, mas a ligação está incompleta.
link-open-again = Abra novamente a ligação do e-mail, ou peça uma nova.
link-used-title = Esta ligação de entrada já foi usada
link-used-text = Cada ligação só funciona uma vez. Se acabou de entrar noutro dispositivo ou navegador, pode entrar aqui com uma nova ligação.
link-expired-title = Esta ligação de entrada expirou
link-expired-text = As ligações de entrada funcionam durante { $minutes ->
    [one] um minuto
   *[other] { $minutes } minutos
}. Peça uma nova: chega num instante.
link-invalid-title = Esta ligação de entrada não é válida aqui
link-invalid-text = A ligação está incompleta, ou pertence ao portal de outro local. Abra novamente a ligação do seu e-mail, ou peça uma nova aqui.
link-new = Enviar-me uma nova ligação
signed-out-title = Terminou a sessão
signed-out-text = O seu WiFi continua a funcionar nos seus dispositivos: terminar a sessão só fecha esta página.
sign-in-again = Entrar novamente
not-signed-in-title = Não tem sessão iniciada
not-signed-in-text = Para ver a sua chave WiFi, abra a ligação do portal WiFi do seu espaço e peça uma ligação de entrada, ou abra o WiFi na aplicação Optix.

## Os canvas (aplicação e painel Optix)
canvas-title = WiFi
canvas-open-from-app = Abra o WiFi a partir da aplicação Optix para ver aqui a sua chave WiFi.
canvas-signed-in-already = Já entrou? A sua chave está na página WiFi.
canvas-rejected-title = Não conseguimos iniciar a sua sessão
canvas-rejected-text = A Optix não confirmou quem é: o token de entrada está em falta, expirou ou não é válido.
canvas-rejected-hint = Feche este ecrã e abra-o novamente a partir da aplicação ou do painel Optix.
canvas-admins-title = Só para administradores
canvas-admins-text = Esta parte da aplicação WiFi destina-se aos administradores do espaço. Os membros encontram a sua chave WiFi no mosaico WiFi da aplicação Optix.
canvas-no-location-title = Abra o WiFi a partir de um local
canvas-no-location-text = A aplicação não indicou em que local está. Escolha o seu local na aplicação Optix e abra o WiFi a partir do ecrã inicial.

## Adesão e recusas
get-key-title = Obtenha a sua chave WiFi
get-key-text = Ainda não tem uma conta WiFi. Verificamos a sua adesão e criamos uma.
get-key-button = Obter a minha chave WiFi
preparing-title = A sua conta WiFi está a ser preparada
preparing-text = Demora um momento. Recarregue a página para ver a sua chave.
reload = Recarregar
no-location-title = Abra o WiFi a partir do seu local
no-location-text = A sua conta WiFi ainda não está associada a nenhum local. Abra a ligação do portal WiFi do seu local, ou o WiFi na aplicação do seu espaço de trabalho, para ver a sua chave.
no-live-grant = A sua conta não tem nenhum acesso válido neste momento (talvez uma reserva comece mais tarde).
no-access-title = Nenhum plano ou reserva ativos
no-access-text = Não encontrámos na sua adesão um plano ativo nem uma reserva para hoje neste local, por isso ainda não há acesso WiFi para lhe dar.
no-access-hint = Para ter WiFi, inicie um plano ou reserve uma secretária ou sala para hoje (na aplicação Optix ou na receção) e abra esta página novamente.
check-again = Verificar novamente
suspended-title = O seu acesso WiFi está em pausa
suspended-text = A sua conta WiFi é mantida, mas neste momento nenhum plano ou reserva lhe dá acesso (por exemplo, um plano terminou ou foi cancelado).
suspended-hint = Assim que voltar a ter um plano ativo ou uma reserva, o acesso regressa sozinho, com a mesma palavra-passe. Pergunte na receção se algo lhe parecer errado.
unknown-member-title = Não encontrámos a sua adesão
unknown-member-text = O sistema de membros do espaço não o conhece (ou já não o conhece). Se acha que é um erro, pergunte na receção.
refused-title = Não conseguimos dar-lhe acesso WiFi
refused-text = O serviço WiFi recusou o pedido. Pergunte na receção.
back-to-wifi = Voltar ao seu WiFi

## Recusas de uma alteração, por código
refusal-invalid-passphrase = Esta palavra-passe não cumpre as regras: 8 a 63 caracteres; letras, algarismos e símbolos exceto aspas, \ ; , e :; não pode ser comum nem fácil de adivinhar.
refusal-passphrase-taken = Esta palavra-passe já está a ser usada; escolha outra.
refusal-device-limit = Já registou tantos dispositivos quantos o seu plano permite; remova um primeiro.
refusal-device-taken = Este dispositivo está registado em nome de outro membro do espaço.
refusal-invalid-mac = Isto não é um endereço Wi-Fi (MAC). Escreva-o assim: AA:BB:CC:DD:EE:FF.
refusal-unknown-device = Este dispositivo não está registado na sua conta.
refusal-no-account = Ainda não tem uma conta WiFi.
refusal-other = O serviço WiFi recusou a alteração: { $reason }

## A página da chave
key-title = O seu WiFi
key-title-error = Erro: O seu WiFi
key-done-changed = A sua nova palavra-passe está ativa. Volte a ligar os seus dispositivos com ela.
key-done-generated = Foi gerada uma nova palavra-passe. Volte a ligar os seus dispositivos com ela.
key-done-device-added = O dispositivo foi adicionado.
key-done-device-removed = O dispositivo foi removido.
key-network = Rede
key-network-name = Nome da rede
key-location = Local
key-group = Grupo
key-vlan = VLAN
key-valid = Validade
key-valid-no-end = Sem data de fim: enquanto o seu plano durar
key-valid-until-day = Até ao fim de { $day } ({ $zone })
key-valid-until = Até { $time } ({ $zone })
key-online = Ligados agora
key-online-none = Nenhum dos seus dispositivos está ligado ao WiFi neste momento.
key-online-since = desde { $time }
key-passphrase = Palavra-passe
key-passphrase-personal = A sua palavra-passe é pessoal: liga os seus dispositivos e só os seus.
key-show = Mostrar a palavra-passe e o código QR
key-hide = Ocultar a palavra-passe e o código QR
key-scan = Leia para entrar em { $network }:
key-qr-label = Código QR para entrar na rede { $network }
key-copy = Copiar a palavra-passe
key-copied = Copiada para a área de transferência.
key-change = Mudar a sua palavra-passe
key-new-passphrase = Nova palavra-passe
key-new-passphrase-hint = 8 a 63 caracteres; letras, algarismos e símbolos exceto aspas, \ ; , e :
key-set = Usar esta palavra-passe
key-generate = Gerar uma nova palavra-passe
key-reconnect = Depois de uma alteração, volte a ligar os seus dispositivos com a nova palavra-passe.
key-preparing = A sua palavra-passe está a ser preparada. Recarregue a página dentro de um momento.
key-refresh = Atualizar
key-sign-out = Terminar sessão

## Dispositivos na página da chave
devices-title = Os seus dispositivos
devices-intro = Onde os pontos de acesso verificam os dispositivos, só os que aparecem aqui entram com a sua palavra-passe. Pode registar { $limit ->
    [one] um dispositivo
   *[other] até { $limit } dispositivos
}.
devices-none = Ainda não há nenhum dispositivo registado.
devices-remove = Remover { $name }
devices-add = Adicionar um dispositivo
devices-name = Nome
devices-name-hint = p. ex. O meu telemóvel
devices-mac = Endereço Wi-Fi (MAC)
devices-mac-hint = p. ex. AA:BB:CC:DD:EE:FF
devices-add-button = Adicionar este dispositivo
devices-bound-tenant = Adicionado pelo membro
devices-bound-admin = Adicionado por um administrador
devices-bound-accounting = Associado pela rede na primeira ligação
devices-bound-handshake = Associado pela rede na troca de chaves
devices-seen = última vez no WiFi a { $last } (primeira a { $first })
devices-not-seen = sem ligação ao WiFi ultimamente
devices-help = Onde encontro o endereço Wi-Fi do meu dispositivo?
devices-help-intro = Os telemóveis e portáteis usam um endereço privado para cada rede. Escolha primeiro a rede (tente entrar uma vez) e leia o endereço mostrado para essa rede:
devices-help-iphone = <strong>iPhone, iPad</strong>: Definições → Wi-Fi → toque em ⓘ junto à rede. Ponha <em>Endereço Wi-Fi privado</em> em <em>Fixo</em> (no iOS 17 e anteriores: deixe-o ativado); o endereço está em <em>Endereço Wi-Fi</em>.
devices-help-android = <strong>Android</strong>: Definições → Rede e Internet → Internet (ou Wi-Fi) → a roda dentada junto à rede. Em <em>Privacidade</em> mantenha <em>Usar MAC aleatório</em>; o endereço está em <em>Detalhes da rede</em> → <em>Endereço MAC</em> (os nomes variam consoante o fabricante).
devices-help-mac = <strong>Mac</strong>: Definições do Sistema → Wi-Fi → <em>Detalhes…</em> junto à rede. Ponha <em>Endereço Wi-Fi privado</em> em <em>Fixo</em>; o endereço aparece por baixo.
devices-help-windows = <strong>Windows 11</strong>: Definições → Rede e Internet → Wi-Fi → as propriedades da rede. Ponha <em>Endereços de hardware aleatórios</em> em <em>Ativado</em> (não <em>Alterar diariamente</em>); o endereço é o <em>Endereço físico (MAC)</em>, no fim.
devices-help-rotating = Uma definição que muda o endereço (rotativo, mudança diária) torna o dispositivo de novo desconhecido: registe então o novo endereço.
