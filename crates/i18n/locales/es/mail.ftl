# Emails to tenants.

## Común a todos los correos.
mail-greeting = Hola:
mail-sign-off = El equipo de { $organization }
mail-link-note = El enlace funciona una sola vez, en { $hours ->
    [one] una hora
   *[other] { $hours } horas
}. Si ha caducado, pide uno nuevo en la misma página.
mail-never-passphrase = Por tu seguridad, este correo nunca contiene tu contraseña.

## Bienvenida.
mail-welcome-subject = Tu WiFi en { $place }
mail-welcome-intro = ¡Bienvenido! Ya tienes acceso al WiFi en { $place }.
mail-welcome-network = La red se llama { $network }.
mail-welcome-action = Abre tu página de clave para ver tu contraseña personal y conectar tus dispositivos:
mail-welcome-button = Abrir mi clave WiFi

## Clave cambiada.
mail-key-changed-subject = Tu contraseña WiFi en { $place } ha cambiado
mail-key-changed-intro = Tu contraseña personal para la red { $network } ha cambiado.
mail-key-changed-action = Vuelve a conectar tus dispositivos con la nueva contraseña. Tu página de clave la muestra:
mail-key-changed-button = Ver mi nueva clave

## Fin del acceso próximo.
mail-access-ending-subject = Tu WiFi en { $place } termina el { $ends }
mail-access-ending-intro = Tu acceso WiFi en { $place } termina el { $ends } (hora local).
mail-access-ending-action = Si tu plan continúa, no cambia nada para ti. Para mantener el acceso, habla con { $organization }.

## Acceso suspendido.
mail-access-suspended-subject = Tu WiFi en { $place } está suspendido
mail-access-suspended-ended = Tu plan en { $place } ha terminado, así que tu acceso WiFi está suspendido.
mail-access-suspended-cancelled = Tu plan en { $place } se ha cancelado, así que tu acceso WiFi está suspendido.
mail-access-suspended-ask = ¿Tienes preguntas? Responde a este correo o consulta a { $organization }.

## Invitado.
mail-guest-invited-subject = WiFi para tu reunión en { $place }
mail-guest-invited-intro = Te esperan en { $place }. Durante tu reunión, del { $from } al { $until }, puedes usar la red WiFi { $network }.
mail-guest-invited-action = Abre tu clave de invitado para ver la contraseña:
mail-guest-invited-button = Abrir mi clave WiFi
