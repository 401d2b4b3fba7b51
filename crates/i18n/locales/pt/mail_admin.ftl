# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

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
