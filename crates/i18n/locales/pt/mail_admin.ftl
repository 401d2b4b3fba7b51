# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The organization's email settings (admin canvas, "Emails").
mail-settings-nav = E-mails
mail-settings-heading = E-mails aos membros
mail-settings-intro = O Lanyard escreve aos seus membros quando recebem WiFi num espaço pela primeira vez, quando a frase-passe muda, antes de o acesso terminar, quando é suspenso e quando são convidados para uma reunião. Escolha quais destes e-mails são enviados, em nome de quem e quando seguem os lembretes.
mail-settings-messages-heading = Mensagens
mail-settings-messages-intro = Desative uma mensagem para deixar de a enviar a todos os membros da organização.
mail-settings-kind-welcome = Boas-vindas
    .hint = O nome da rede e uma ligação de início de sessão, no primeiro acesso de um membro a um espaço.
mail-settings-kind-key-changed = Frase-passe alterada
    .hint = Quando um administrador altera a frase-passe de um membro ou é gerada uma nova: volte a ligar os seus dispositivos.
mail-settings-kind-access-ending = Fim do acesso
    .hint = Um lembrete antes de terminar um plano, uma reserva ou um passe diário.
mail-settings-kind-access-suspended = Acesso suspenso
    .hint = Quando um plano terminou ou foi cancelado: o que aconteceu e a quem perguntar.
mail-settings-kind-guest-invited = Convidado de uma reunião
    .hint = O WiFi de um convidado durante a reunião, com a ligação de início de sessão.
mail-settings-sender-heading = Remetente
mail-settings-sender-name = Nome do remetente
    .hint = Aparece como quem envia o e-mail, por exemplo o nome do seu coworking. Deixe vazio para usar o do Lanyard.
mail-settings-reply-to = Endereço de resposta
    .hint = Para onde vão as respostas dos membros, por exemplo a sua receção. Deixe vazio para não ter nenhum.
mail-settings-reminders-heading = Lembretes
mail-settings-plan-reminder = Horas antes de um plano terminar
    .hint = Entre 1 e 720 (30 dias); 24, a menos que o altere.
mail-settings-booking-reminder = Horas antes de uma reserva ou de um passe diário terminar
    .hint = Entre 1 e 720, ou vazio para nenhum lembrete (o predefinido: as reservas do próprio dia não precisam).
mail-settings-wording-heading = Redação
mail-settings-wording-intro = Os e-mails de cada língua usam a redação do Lanyard, mostrada ao lado da caixa. Para reformular uma mensagem, copie-a para a caixa com o seu nome e altere o texto; mantenha os nomes que começam por $, pois são substituídos pelos dados do membro. Deixe a caixa vazia para usar a redação do Lanyard.
mail-settings-wording-own = A sua redação ({ $language })
    .hint = Apenas as mensagens que altera, no mesmo formato da redação do Lanyard.
mail-settings-wording-catalogue = A redação do Lanyard ({ $language })
mail-settings-save = Guardar as definições dos e-mails
mail-settings-saved = As definições dos e-mails foram guardadas.
mail-settings-error-reply-to = O endereço de resposta «{ $address }» não é um endereço de e-mail: escreva um como rececao@exemplo.pt.
mail-settings-error-sender-empty = O nome do remetente está vazio: escreva um, ou deixe o campo vazio para usar o predefinido.
mail-settings-error-sender-long = O nome do remetente tem { $length } caracteres; são permitidos no máximo { $max }.
mail-settings-error-sender-character = O nome do remetente não pode conter { $character }: aspas, parênteses angulares, barras invertidas e quebras de linha estragam a linha do remetente do e-mail.
mail-settings-error-plan-hours = O lembrete do plano tem de seguir entre 1 e 720 horas antes do fim (não { $hours }).
mail-settings-error-booking-hours = O lembrete da reserva tem de seguir entre 1 e 720 horas antes do fim (não { $hours }), ou ficar vazio.
mail-settings-error-language = { $language } não é uma língua em que o Lanyard escreva.
mail-settings-error-wording-syntax = A sua redação ({ $language }), linha { $line }: { $reason }
mail-settings-error-wording-unknown = A sua redação ({ $language }) menciona { $message }, que não é uma mensagem do Lanyard: reformule apenas mensagens existentes.
mail-settings-error-wording-long = A sua redação ({ $language }) tem { $bytes } bytes; são permitidos no máximo 65536.

## Registo de envios (mail-log-*).
mail-log-nav = Emails enviados
mail-log-title = Emails aos membros
mail-log-intro = Os últimos emails que o Lanyard enviou aos seus membros (ou decidiu não enviar), do mais recente para o mais antigo. Os endereços nunca são guardados; um email que falhou é tentado de novo com pausas cada vez maiores.
mail-log-empty = Ainda não foi enviado nenhum email.
mail-log-caption = Horas em { $timezone }.
mail-log-limit = { $limit ->
    [one] É mostrado o email mais recente.
   *[other] São mostrados no máximo os { $limit } emails mais recentes.
}
mail-log-kind = Mensagem
mail-log-member = Membro
mail-log-outcome = Resultado
mail-log-when = Quando
mail-log-attempts = Tentativas
mail-log-reason = Último erro
mail-log-member-gone = (conta eliminada)
mail-log-kind-welcome = Boas-vindas
mail-log-kind-key-changed = Palavra-passe alterada
mail-log-kind-access-ending = Fim do acesso próximo
mail-log-kind-access-suspended = Acesso suspenso
mail-log-kind-guest-invited = Convite de convidado
mail-log-outcome-sending = A enviar
mail-log-outcome-sent = Enviado
mail-log-outcome-failed = Falhou, nova tentativa prevista
mail-log-outcome-skipped-off = Não enviado: desativado
mail-log-outcome-skipped-deleted = Não enviado: membro eliminado
