# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The organization's email settings (admin canvas, "Emails").
mail-settings-nav = Correos
mail-settings-heading = Correos a los miembros
mail-settings-intro = Lanyard escribe a tus miembros cuando obtienen WiFi en un espacio por primera vez, cuando cambia su frase de contraseña, antes de que termine su acceso, cuando se suspende y cuando los invitan a una reunión. Elige cuáles de estos correos se envían, en nombre de quién y cuándo salen los recordatorios.
mail-settings-messages-heading = Mensajes
mail-settings-messages-intro = Desactiva un mensaje para dejar de enviarlo a todos los miembros de la organización.
mail-settings-kind-welcome = Bienvenida
    .hint = El nombre de la red y un enlace para iniciar sesión, en el primer acceso de un miembro a un espacio.
mail-settings-kind-key-changed = Frase de contraseña cambiada
    .hint = Cuando un administrador cambia la frase de contraseña de un miembro o se genera una nueva: vuelve a conectar tus dispositivos.
mail-settings-kind-access-ending = Fin del acceso
    .hint = Un recordatorio antes de que termine un plan, una reserva o un pase de día.
mail-settings-kind-access-suspended = Acceso suspendido
    .hint = Cuando un plan terminó o se canceló: qué pasó y a quién preguntar.
mail-settings-kind-guest-invited = Invitado a una reunión
    .hint = El WiFi de un invitado durante la reunión, con el enlace para iniciar sesión.
mail-settings-sender-heading = Remitente
mail-settings-sender-name = Nombre del remitente
    .hint = Aparece como quien envía el correo, por ejemplo el nombre de tu coworking. Déjalo vacío para usar el de Lanyard.
mail-settings-reply-to = Dirección de respuesta
    .hint = Adónde llegan las respuestas de los miembros, por ejemplo tu recepción. Déjala vacía para no tener ninguna.
mail-settings-reminders-heading = Recordatorios
mail-settings-plan-reminder = Horas antes de que termine un plan
    .hint = Entre 1 y 720 (30 días); 24 salvo que lo cambies.
mail-settings-booking-reminder = Horas antes de que termine una reserva o un pase de día
    .hint = Entre 1 y 720, o vacío para ningún recordatorio (lo predeterminado: las reservas del mismo día no lo necesitan).
mail-settings-wording-heading = Redacción
mail-settings-wording-intro = Los correos de cada idioma usan la redacción de Lanyard, que se muestra junto al cuadro. Para cambiar un mensaje, cópialo en el cuadro con su nombre y modifica su texto; conserva los nombres que empiezan por $, se sustituyen por los datos del miembro. Deja el cuadro vacío para usar la redacción de Lanyard.
mail-settings-wording-own = Tu redacción ({ $language })
    .hint = Solo los mensajes que cambias, con el mismo formato que la redacción de Lanyard.
mail-settings-wording-catalogue = La redacción de Lanyard ({ $language })
mail-settings-save = Guardar la configuración de los correos
mail-settings-saved = La configuración de los correos está guardada.
mail-settings-error-reply-to = La dirección de respuesta «{ $address }» no es una dirección de correo: escribe una como recepcion@ejemplo.es.
mail-settings-error-sender-empty = El nombre del remitente está vacío: escribe uno, o deja el campo vacío para usar el predeterminado.
mail-settings-error-sender-long = El nombre del remitente tiene { $length } caracteres; se permiten { $max } como máximo.
mail-settings-error-sender-character = El nombre del remitente no puede contener { $character }: las comillas, los corchetes angulares, las barras invertidas y los saltos de línea rompen la línea del remitente del correo.
mail-settings-error-plan-hours = El recordatorio del plan debe salir entre 1 y 720 horas antes del final (no { $hours }).
mail-settings-error-booking-hours = El recordatorio de la reserva debe salir entre 1 y 720 horas antes del final (no { $hours }), o quedar vacío.
mail-settings-error-language = { $language } no es un idioma en el que escriba Lanyard.
mail-settings-error-wording-syntax = Tu redacción ({ $language }), línea { $line }: { $reason }
mail-settings-error-wording-unknown = Tu redacción ({ $language }) nombra { $message }, que no es un mensaje de Lanyard: cambia solo mensajes existentes.
mail-settings-error-wording-long = Tu redacción ({ $language }) ocupa { $bytes } bytes; se permiten 65536 como máximo.

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
