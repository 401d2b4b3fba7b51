# Páginas de administração e canvas de administração (issue 21). Uma mensagem por texto; os
# termos de operador (VLAN, NAS, RADIUS, PPSK, SSID, CoA) ficam iguais em todos os idiomas.

## Moldura, navegação, palavras partilhadas

admin-brand = Administração do WiFi
admin-skip = Saltar para o conteúdo
admin-nav-label = Secções
admin-nav-home = Visão geral
admin-nav-connection = Ligação
admin-nav-locations = Espaços
admin-nav-nas = Pontos de acesso
admin-nav-controllers = Controladores WiFi
admin-nav-plans = Planos
admin-nav-members = Membros
admin-nav-sessions = Sessões
admin-hint-optional = opcional
admin-none = nenhum
admin-sealed = (selado)
admin-utc-time = { $time } UTC
admin-test-connection = Testar a ligação
admin-connection-works = A ligação funciona: { $answer }.
admin-no-location-mapped = Ainda não há nenhum espaço associado:
admin-map-location-first = associe primeiro um espaço
admin-remove = Remover { $name }
admin-col-remove = Remover
admin-col-name = Nome
admin-col-location = Espaço
admin-col-member = Membro
admin-col-status = Estado
admin-col-finished = Concluída
admin-col-outcome = Resultado
admin-col-vlan = VLAN

## Palavras para valores guardados em inglês

admin-word-initial = inicial
admin-word-periodic = periódica
admin-word-manual = manual
admin-word-ok = ok
admin-word-failed = falhada
admin-word-active = ativo
admin-word-suspended = suspenso
admin-word-live = ativo
admin-word-open-ended = sem data de fim
admin-notification-sync-failed = sincronização falhada
admin-notification-unmapped-location = espaço não associado
admin-notification-group-without-vlan = grupo sem VLAN
admin-notification-unmapped-location-text = Um inquilino pediu WiFi no espaço { $location } de { $platform }, que não está associado a nenhum espaço Lanyard.
admin-group-vlan = { $group } (VLAN { $vlan })
admin-group-no-vlan = { $group } (sem VLAN)
admin-vlan-only = VLAN { $vlan }

## O que um formulário fez

admin-done-location-mapped = A associação do espaço foi guardada.
admin-done-location-unmapped = O espaço deixou de estar associado.
admin-done-plan-mapped = O perfil do plano foi guardado.
admin-done-plan-unmapped = O plano volta a usar o perfil predefinido.
admin-done-default-set = O perfil predefinido foi guardado.
admin-done-pool-set = O intervalo de VLAN da organização foi guardado.
admin-done-sync-started = A sincronização com a plataforma de membros foi executada.
admin-done-nas-registered = O ponto de acesso foi guardado.
admin-done-nas-removed = O ponto de acesso foi removido: os seus pedidos passam a ser descartados.
admin-done-device-removed = O dispositivo foi removido.
admin-done-officernd-connected = O OfficeRnD está ligado: os seus membros, subscrições e reservas estão a ser importados.
admin-done-controller-mapped = O controlador WiFi foi guardado: as suas chaves acompanham em segundos.
admin-done-controller-unmapped = O controlador WiFi deixou de estar associado: as suas chaves lá ficam até serem removidas no painel do fabricante.

## Problemas do formulário

admin-error-unknown-action = Ação desconhecida.
admin-error-unknown-location = Espaço desconhecido.
admin-error-unknown-plan = Plano desconhecido.
admin-error-unknown-nas = Ponto de acesso desconhecido.
admin-error-refused = Recusado: { $reason }.
admin-error-provision-refused = A alteração foi recusada: { $reason }
admin-error-whole-number = { $field } tem de ser um número inteiro (recebido: { $value }).
admin-error-pool-both = Um intervalo de VLAN precisa da primeira e da última VLAN (ou de nenhuma das duas).
admin-error-choose-vendor = Escolha o fabricante do ponto de acesso.
admin-error-choose-location = Escolha um espaço.
admin-error-required = «{ $field }» é obrigatório.
admin-error-ssid-number = O número de SSID tem de ser um número inteiro de 0 a 14.
admin-error-credential = A credencial tem de ter pelo menos { $min } caracteres, sem espaços.
admin-field-vlan = A VLAN
admin-field-upload = O limite de envio
admin-field-download = O limite de transferência
admin-field-duration = A duração
admin-field-devices = O número de dispositivos
admin-field-vlan-first = A primeira VLAN
admin-field-vlan-last = A última VLAN
admin-field-coa-port = A porta CoA
admin-field-ssid = SSID

## Início de sessão

admin-canvas-open-from-optix = Abra a aplicação WiFi a partir do painel do Optix (Apps, ou a opção de menu WiFi) para a gerir aqui.
admin-signed-out-title = Abra a administração do WiFi a partir do Optix
admin-signed-out-text = A sua sessão de administração terminou ou nunca foi iniciada aqui. Abra a aplicação WiFi a partir do painel do Optix (Apps → Gerir apps → Configurar, ou a opção de menu WiFi): isso inicia a sua sessão.

## Visão geral

admin-home-signed-in = Sessão iniciada como { $name } (organização { $org }).
admin-home-user = utilizador { $user }
admin-home-notifications = Notificações
admin-home-no-notifications = Sem notificações: todos os espaços usados por inquilinos estão associados, as sincronizações têm êxito e cada grupo tem uma VLAN.
admin-col-when = Quando
admin-col-what = O quê
admin-col-about = Sobre
admin-col-details = Detalhes
admin-home-syncs = Sincronizações recentes com { $platform }
admin-home-no-syncs = Ainda não foi executada nenhuma sincronização.
admin-col-kind = Tipo
admin-col-users-seen = Utilizadores vistos
admin-col-corrected = Corrigidos
admin-col-events = Eventos
admin-col-reason = Motivo
admin-home-sync-now = Sincronizar com { $platform } agora
admin-home-groups = Grupos de equipa
admin-home-no-groups = Nenhuma equipa tem ainda membros com WiFi.
admin-col-team = Equipa
admin-col-members = Membros

## Ligação

admin-connection-officernd = A organização { $org } está ligada ao OfficeRnD: os membros recebem WiFi pelas suas subscrições, reservas e passes diários lá. O Lanyard sincroniza a cada 15 minutos e a cada webhook.
admin-connection-platform = Plataforma
admin-connection-slug = Slug da organização
admin-connection-client-id = ID de cliente
admin-connection-client-secret = Segredo de cliente
admin-connection-sealed = guardado selado (não mostrado)
admin-connection-optix = A organização { $org } está ligada ao Optix através da aplicação Lanyard; a sua ligação é gerida no Optix (Apps → Gerir apps).
admin-connection-next = A seguir, associe os espaços a redes WiFi e os planos a perfis de acesso:
admin-connection-nothing-to-test = Esta organização está ligada através da aplicação do Optix: aqui não há nada para testar.
admin-connection-other-org = As credenciais guardadas leem outra organização, { $name } ({ $org }): volte a ligar com as desta organização.

## Espaços

admin-locations-intro = Associe cada espaço de { $platform } à sua rede WiFi. Os inquilinos de um espaço não associado veem um erro e o utilizador recebe uma notificação.
admin-location-platform-id = (espaço { $location } de { $platform })
admin-location-fallback = Espaço { $location }
admin-location-mapped = Associado
admin-location-network = rede
admin-location-not-mapped = Não associado
admin-location-unmapped-uses = { $count ->
    [one] os inquilinos pediram WiFi aqui uma vez enquanto não estava associado
   *[other] os inquilinos pediram WiFi aqui { $count } vezes enquanto não estava associado
}
admin-location-name = Nome do espaço
admin-location-network-name = Nome da rede (SSID)
admin-location-timezone = Fuso horário
admin-location-timezone-hint = nome IANA, p. ex. Europe/Lisbon
admin-location-roaming = Onde as chaves funcionam
admin-roaming-single = Só neste espaço
admin-roaming-all = Em todos os espaços
admin-roaming-plan = Onde o plano do membro for válido
admin-location-pool-first = Intervalo de VLAN: primeira
admin-hint-vlan = opcional, 1–4094
admin-location-pool-last = Intervalo de VLAN: última
admin-location-save = Guardar a associação
admin-location-map = Associar este espaço
admin-location-unmap = Desassociar { $location }
admin-locations-none = { $platform } não mostra nenhum espaço que o utilizador gira.

## Pontos de acesso (NAS)

admin-nas-intro = Os pontos de acesso e controladores (NAS) que podem pedir as chaves dos membros ao servidor RADIUS do Lanyard. Um pedido de um endereço que não esteja aqui é descartado. Associe primeiro um espaço; consulte o guia de RADIUS para as definições de cada fabricante.
admin-nas-network = (rede { $network })
admin-nas-none = Ainda não há nenhum ponto de acesso registado aqui.
admin-nas-at = Pontos de acesso em { $location }
admin-col-id = ID
admin-col-address = Endereço
admin-col-vendor = Fabricante
admin-col-ssids = SSID
admin-col-coa-port = Porta CoA
admin-nas-add = Adicionar ou alterar um ponto de acesso
admin-nas-id-hint = a–z, 0–9 e -, p. ex. lobby-ap-1; um ID existente altera esse ponto de acesso
admin-nas-address-hint = de onde vêm os seus pedidos RADIUS: 10.0.0.7 ou 10.0.0.0/24
admin-nas-ssids-hint = um por linha, no máximo 32 bytes cada
admin-nas-coa-hint = opcional, 3799 se estiver vazio
admin-nas-secret = Segredo partilhado
admin-nas-secret-hint = 16 a 128 caracteres, sem espaços; deixe vazio para manter o atual ao alterar um ponto de acesso
admin-nas-save = Guardar o ponto de acesso
admin-dialect-meraki = Meraki (iPSK com RADIUS)

## Controladores WiFi

admin-controllers-intro-before = O Lanyard mantém as chaves destes controladores iguais às suas: uma chave alterada ou apagada no painel do fabricante é reposta na reconciliação seguinte. Associe um espaço abaixo (ou com
admin-controllers-intro-after = ); a credencial é guardada selada e nunca mais é mostrada.
admin-controller-heading = Espaço { $location }: { $vendor }
admin-controller-unmap = Desassociar o espaço { $location }
admin-controller-not-reconciled = Ainda não reconciliado.
admin-controller-recent = Últimas reconciliações
admin-col-why = Porquê
admin-col-created = Criadas
admin-col-updated = Atualizadas
admin-col-deleted = Apagadas
admin-col-drift = Desvios corrigidos
admin-controllers-none = Nenhum espaço está associado a um controlador WiFi.
admin-controller-map-heading = Associar um espaço a um controlador
admin-controller-map-replaces = Associar um espaço que já tem um controlador substitui-o.
admin-vendor-meraki = Meraki (identity PSK)
admin-vendor-openwrt = Grupo de AP OpenWrt
admin-vendor-unifi = UniFi (chaves pré-partilhadas privadas)
admin-vendor-mist = Mist (PSK)
admin-meraki-org = ID de organização Meraki
admin-meraki-network = ID de rede
admin-meraki-ssid = Número de SSID
admin-meraki-key = Chave de API do painel
admin-openwrt-group = Nome do grupo de AP
admin-openwrt-token = Token de obtenção
admin-openwrt-token-hint = pelo menos 32 caracteres; os routers enviam-no
admin-unifi-url = URL da aplicação Network
admin-unifi-url-hint = https://console/proxy/network no UniFi OS
admin-unifi-site = Site
admin-unifi-site-hint = default se estiver vazio
admin-unifi-wlan = ID de WLAN
admin-unifi-key = Chave de API
admin-mist-org = ID de organização Mist
admin-mist-site = ID de site
admin-mist-site-hint = opcional: PSK da organização se estiver vazio
admin-mist-token = Token de API
admin-controller-map-to = Associar a { $vendor }
admin-target-meraki = organização { $org }, rede { $network }, SSID { $ssid }
admin-target-openwrt = grupo de AP { $group }
admin-target-unifi = UniFi { $url }, site { $site }, WLAN { $wlan }
admin-target-mist-site = site Mist { $site }, SSID { $ssid }
admin-target-mist-org = organização Mist { $org }, SSID { $ssid }
admin-controller-none-mapped = Nenhum controlador está associado a este espaço.
admin-controller-nothing-to-reach = Os routers OpenWrt obtêm o seu ficheiro de chaves do Lanyard; não há nada para contactar
admin-controller-unexpected = O controlador não respondeu como esperado: { $error }.

## Planos e perfis de acesso

admin-plans-heading = Planos e perfis de acesso
admin-plans-intro = Cada plano de { $platform } dá um perfil de acesso: WiFi ligado ou desligado, uma VLAN, limites de largura de banda, uma duração e quantos dispositivos um membro pode registar. Os planos que não associar usam o perfil predefinido.
admin-pool-heading = Intervalo de VLAN da organização
admin-pool-intro = Os grupos de equipa recebem a sua VLAN deste intervalo (ou do intervalo do seu espaço quando este está vazio).
admin-pool-first = Primeira VLAN
admin-pool-last = Última VLAN
admin-pool-save = Guardar o intervalo
admin-pool-hint = Deixe ambos vazios para usar apenas os intervalos dos espaços.
admin-default-heading = Perfil predefinido
admin-default-save = Guardar o perfil predefinido
admin-plans-error = { $platform } não listou os planos: { $error }. Volte a abrir a administração do WiFi a partir de { $platform } para tentar de novo.
admin-plan-id = (plano { $plan })
admin-plan-fallback = Plano { $plan }
admin-plan-own = Perfil próprio
admin-plan-save = Guardar o perfil
admin-plan-give = Dar a este plano o seu próprio perfil
admin-plan-unmap = Voltar ao perfil predefinido
admin-profile-name = Nome do perfil
admin-profile-wifi = WiFi incluído
admin-profile-vlan-hint = opcional; a VLAN do grupo de equipa tem prioridade
admin-profile-hours = Duração (horas)
admin-profile-hours-hint = opcional, p. ex. 24 para um passe diário
admin-profile-down = Limite de transferência (kbit/s)
admin-profile-up = Limite de envio (kbit/s)
admin-profile-devices = Dispositivos por membro
admin-profile-devices-hint = opcional, 1–100; 5 se estiver vazio

## Membros

admin-members-count = { $total ->
    [one] 1 conta WiFi
   *[other] { $total } contas WiFi
}
admin-members-shown = , { $first }–{ $last } mostradas
admin-members-open = Abra uma para ver o seu histórico.
admin-members-times = As horas estão no fuso horário do espaço de cada membro.
admin-col-access = Acesso
admin-col-valid-until = Válido até
admin-col-group = Grupo
admin-members-user = utilizador { $user }
admin-members-none = Nenhum membro tem ainda uma conta WiFi.
admin-members-past-end = Esta página está para lá do último membro:
admin-members-back-first = voltar à primeira página
admin-members-pages = Páginas de membros
admin-previous = ← Anterior
admin-next = Seguinte →
admin-no-page-title = Essa página não existe
admin-no-page-text = O número da página tem de ser um número inteiro a partir de 1.

## Um membro

admin-member-all = ← Todos os membros
admin-member-title = { $name } · Membro
admin-member-title-id = Membro { $user }
admin-member-email = E-mail
admin-member-platform-user = Utilizador de { $platform }
admin-member-group-vlan = Grupo / VLAN
admin-member-devices = Dispositivos
admin-member-devices-limit = No máximo { $limit } dispositivos (o maior limite dos perfis dos planos em vigor do membro).
admin-member-no-devices = Nenhum dispositivo registado.
admin-col-wifi-address = Endereço Wi-Fi
admin-col-how = Como
admin-col-added = Adicionado
admin-col-seen = Visto
admin-member-history = Histórico
admin-member-history-note = Cada alteração a esta conta, da mais antiga para a mais recente, na hora de { $tz }.
admin-member-by = { $line } — por { $actor }
admin-no-member-title = Esse membro não existe
admin-no-member-text = Esta organização não tem nenhuma conta WiFi para esse utilizador.

## Sessões

admin-sessions-intro = Os dispositivos ligados ao WiFi agora, por espaço, tal como os pontos de acesso os reportam (contabilização RADIUS). As horas estão no fuso horário de cada espaço; ↓ é o que o dispositivo transferiu.
admin-sessions-online = { $count } online
admin-sessions-truncated = , os { $limit } mais recentes mostrados
admin-sessions-none = Nenhum dispositivo está online neste espaço.
admin-sessions-at = Sessões em { $location }
admin-times-in = Horas em { $tz }.
admin-col-device = Dispositivo
admin-col-nas = Ponto de acesso
admin-col-since = Desde
admin-col-last-report = Último relatório
admin-col-traffic = Tráfego
admin-session-no-member = dispositivo não registado a nenhum membro
admin-session-deleted = (conta eliminada)

## OfficeRnD

admin-officernd-member = Membro OfficeRnD { $member }
admin-officernd-refused-title = A assinatura do OfficeRnD foi recusada
admin-officernd-refused-text = Volte a abrir a administração do WiFi a partir do OfficeRnD (a sua página de integração assina cada visita).
admin-officernd-continue-intro = O OfficeRnD abriu a administração do WiFi do Lanyard para a organização { $org }.
admin-officernd-continue = Continuar para a administração do WiFi
admin-officernd-connect-title = Ligar o OfficeRnD
admin-officernd-connect-intro-before = Ligue a sua organização OfficeRnD ao Lanyard: os membros passam a receber o WiFi pelas suas subscrições, reservas e passes diários. Precisa do código de ligação que o seu operador Lanyard lhe deu (
admin-officernd-connect-intro-after = ) e, do OfficeRnD (Settings → Developer Tools), o ID e o segredo de cliente de uma aplicação e o segredo do webhook que envia para o Lanyard.
admin-officernd-code = Código de ligação
admin-officernd-client-secret-hint = guardado selado, nunca mais mostrado
admin-officernd-webhook-secret = Segredo do webhook
admin-officernd-webhook-secret-hint = necessário para ligar, não para testar
admin-officernd-connect = Ligar
admin-officernd-bad-slug = O slug é o nome da organização nos endereços do OfficeRnD (app.officernd.com/admin/<slug>): letras, algarismos, - e _.
admin-officernd-give-client-id = Indique o ID de cliente da aplicação.
admin-officernd-give-client-secret = Indique o segredo de cliente da aplicação.
admin-officernd-connected-already = { $name } já está ligada: abra a administração do WiFi a partir do OfficeRnD para a gerir.
admin-officernd-bad-credentials = O OfficeRnD recusou o ID e o segredo de cliente para este slug de organização: verifique-os (Settings → Developer Tools → Applications) e o slug.
admin-officernd-forbidden = O OfficeRnD recusou o acesso: conceda à aplicação permissões de leitura.
admin-officernd-unreachable = Não foi possível contactar o OfficeRnD ({ $error }); tente de novo daqui a pouco.
