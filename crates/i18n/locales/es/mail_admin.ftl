# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## Registro de envíos (mail-log-*).
mail-log-nav = Correos enviados
mail-log-title = Correos a los miembros
mail-log-intro = Los últimos correos que Lanyard envió a tus miembros (o decidió no enviar), del más reciente al más antiguo. Las direcciones nunca se guardan; un correo fallido se reintenta con pausas cada vez más largas.
mail-log-empty = Todavía no se ha enviado ningún correo.
mail-log-caption = Horas en { $timezone }.
mail-log-limit = { $limit ->
    [one] Se muestra el correo más reciente.
   *[other] Se muestran como máximo los { $limit } correos más recientes.
}
mail-log-kind = Mensaje
mail-log-member = Miembro
mail-log-outcome = Resultado
mail-log-when = Cuándo
mail-log-attempts = Intentos
mail-log-reason = Último error
mail-log-member-gone = (cuenta eliminada)
mail-log-kind-welcome = Bienvenida
mail-log-kind-key-changed = Contraseña cambiada
mail-log-kind-access-ending = Fin del acceso próximo
mail-log-kind-access-suspended = Acceso suspendido
mail-log-kind-guest-invited = Invitación de invitado
mail-log-outcome-sending = Enviando
mail-log-outcome-sent = Enviado
mail-log-outcome-failed = Fallido, se reintentará
mail-log-outcome-skipped-off = No enviado: desactivado
mail-log-outcome-skipped-deleted = No enviado: miembro eliminado
