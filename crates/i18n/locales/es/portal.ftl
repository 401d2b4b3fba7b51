# Páginas de los miembros y canvas de la aplicación. Un mensaje por texto; ver docs/i18n.md.
language-name = Español
language-switch = Idioma: { $language }
language-switch-label = Idioma
skip-to-content = Ir al contenido

## Rechazos del selector de idioma (POST /language)
language-bad-request = No se pudo usar esta elección de idioma
language-unknown = Lanyard no está traducido a este idioma. Elija English, Français, Español, Deutsch, Português o Italiano.
language-bad-back = La página a la que volver no es una página de este sitio.
language-cross-site = El idioma solo se puede cambiar desde las páginas de este sitio.
back-home = Volver al inicio

## Páginas comunes
home-title = Portal Lanyard
home-text = Su clave WiFi está a un paso: abra el enlace del portal de su espacio, o el mosaico WiFi de la aplicación Optix.
not-found-title = Página no encontrada
not-found-text = No hay nada en esta dirección. Compruebe el enlace, o abra de nuevo el enlace del portal de su espacio.
too-many-title = Demasiadas solicitudes
too-many-security = Por su seguridad, solo se permiten unas pocas solicitudes en poco tiempo.
too-many-wait = Vuelva a intentarlo en { $minutes ->
    [one] un minuto aproximadamente
   *[other] unos { $minutes } minutos
}.
unavailable-title = Servicio WiFi no disponible temporalmente
unavailable-text = No pudimos contactar con el servicio que gestiona el acceso WiFi. No se ha perdido nada: vuelva a intentarlo en un minuto.
try-again = Volver a intentarlo
form-expired-title = Este formulario ha caducado
form-expired-text = Por su seguridad, los formularios solo funcionan en la página que los mostró y con las cookies activadas. Vuelva atrás, recargue la página e inténtelo de nuevo.
reload-page = Recargar la página
unknown-workspace-title = Espacio de trabajo desconocido
unknown-workspace-text = Esta dirección no pertenece a un espacio de trabajo que use este portal WiFi, o el espacio lo ha desconectado.
unknown-workspace-hint = Compruebe el enlace que le dieron, o pida en recepción la dirección del portal WiFi de su espacio.
unmapped-title = El WiFi aún no está configurado para este espacio
unmapped-text = Su espacio de trabajo todavía no ha conectado esta ubicación a su WiFi, así que no hay ninguna red para la que darle una clave.
unmapped-told = Hemos avisado a los administradores. Pregunte en recepción o vuelva a intentarlo más tarde.
unmapped-detail = La ubicación { $location } no está asignada.
error-database-title = No disponible temporalmente
error-database-text = El portal no puede acceder a su base de datos en este momento. Vuelva a intentarlo en un minuto.
error-internal-title = Algo ha salido mal
error-internal-text = El portal no pudo mostrar esta página. Vuelva a intentarlo; si sigue ocurriendo, avise en recepción.

## Inicio de sesión por correo
email-form-title = WiFi en { $place }
email-form-intro = Introduzca la dirección de correo que usa con su espacio de trabajo. Si pertenece a un miembro, le enviaremos un enlace de acceso para ver su contraseña WiFi personal.
email-label = Correo electrónico
email-send = Enviarme un enlace de acceso
email-invalid = Introduzca la dirección de correo que usa con su espacio de trabajo, por ejemplo nombre@ejemplo.com.
back-to-sign-in = Volver a la página de acceso
check-email-title = Revise su correo
check-email-sent = Si { $email } pertenece a un miembro, un enlace de acceso va en camino.
check-email-valid = Funciona una sola vez y durante { $minutes ->
    [one] un minuto
   *[other] { $minutes } minutos
}.
check-email-spam = ¿No ha llegado nada en unos minutos? Revise la carpeta de correo no deseado, o asegúrese de haber usado la dirección que tiene registrada en su espacio de trabajo.
check-email-other = Usar otra dirección de correo
signing-in-title = Iniciando sesión
signing-in-wait = Iniciando su sesión…
signing-in-needs-js = Para iniciar sesión se necesita JavaScript: actívelo y abra el enlace de nuevo.
link-incomplete = Esta página inicia su sesión con el enlace de su correo, pero el enlace está incompleto.
link-open-again = Abra de nuevo el enlace del correo, o pida uno nuevo.
link-used-title = Este enlace de acceso ya se ha usado
link-used-text = Cada enlace funciona una sola vez. Si acaba de iniciar sesión en otro dispositivo o navegador, puede hacerlo aquí con un enlace nuevo.
link-expired-title = Este enlace de acceso ha caducado
link-expired-text = Los enlaces de acceso funcionan durante { $minutes ->
    [one] un minuto
   *[other] { $minutes } minutos
}. Pida uno nuevo: llega en un momento.
link-invalid-title = Este enlace de acceso no es válido aquí
link-invalid-text = El enlace está incompleto, o pertenece al portal de otra ubicación. Abra de nuevo el enlace de su correo, o pida uno nuevo aquí.
link-new = Enviarme un enlace nuevo
signed-out-title = Ha cerrado la sesión
signed-out-text = Su WiFi sigue funcionando en sus dispositivos: cerrar la sesión solo cierra esta página.
sign-in-again = Volver a iniciar sesión
not-signed-in-title = No ha iniciado sesión
not-signed-in-text = Para ver su clave WiFi, abra el enlace del portal WiFi de su espacio y pida un enlace de acceso, o abra WiFi desde la aplicación Optix.

## Los canvas (aplicación y panel de Optix)
canvas-title = WiFi
canvas-open-from-app = Abra WiFi desde la aplicación Optix para ver aquí su clave WiFi.
canvas-signed-in-already = ¿Ya ha iniciado sesión? Su clave está en la página WiFi.
canvas-rejected-title = No pudimos iniciar su sesión
canvas-rejected-text = Optix no confirmó su identidad: el token de acceso falta, ha caducado o no es válido.
canvas-rejected-hint = Cierre esta pantalla y vuelva a abrirla desde la aplicación o el panel de Optix.
canvas-admins-title = Solo administradores
canvas-admins-text = Esta parte de la aplicación WiFi es para los administradores del espacio. Los miembros encuentran su clave WiFi en el mosaico WiFi de la aplicación Optix.
canvas-no-location-title = Abra WiFi desde una ubicación
canvas-no-location-text = La aplicación no indicó en qué ubicación está. Elija su ubicación en la aplicación Optix y abra WiFi desde su pantalla de inicio.

## Alta y rechazos
get-key-title = Obtenga su clave WiFi
get-key-text = Todavía no tiene una cuenta WiFi. Comprobamos su membresía y le creamos una.
get-key-button = Obtener mi clave WiFi
preparing-title = Estamos preparando su cuenta WiFi
preparing-text = Tarda un momento. Recargue la página para ver su clave.
reload = Recargar
no-location-title = Abra WiFi desde su ubicación
no-location-text = Su cuenta WiFi aún no está vinculada a ninguna ubicación. Abra el enlace del portal WiFi de su ubicación, o WiFi en la aplicación de su espacio de trabajo, para ver su clave.
no-live-grant = Su cuenta no tiene ningún acceso válido en este momento (quizá una reserva empiece más tarde).
no-access-title = Ningún plan ni reserva activos
no-access-text = No encontramos en su membresía un plan activo ni una reserva para hoy en esta ubicación, así que todavía no hay acceso WiFi que darle.
no-access-hint = Para tener WiFi, inicie un plan o reserve un puesto o una sala para hoy (en la aplicación Optix o en recepción) y vuelva a abrir esta página.
check-again = Comprobar de nuevo
suspended-title = Su acceso WiFi está en pausa
suspended-text = Su cuenta WiFi se conserva, pero ahora mismo ningún plan ni reserva le da acceso (por ejemplo, un plan terminó o se canceló).
suspended-hint = En cuanto vuelva a tener un plan activo o una reserva, el acceso vuelve solo, con la misma contraseña. Pregunte en recepción si algo no le parece correcto.
unknown-member-title = No encontramos su membresía
unknown-member-text = El sistema de miembros del espacio no le conoce (o ya no). Si cree que es un error, pregunte en recepción.
refused-title = No pudimos darle acceso WiFi
refused-text = El servicio WiFi rechazó la solicitud. Pregunte en recepción.
back-to-wifi = Volver a su WiFi

## Rechazos de un cambio, por código
refusal-invalid-passphrase = Esta contraseña no cumple las reglas: de 8 a 63 caracteres; letras, cifras y símbolos salvo las comillas, \ ; , y :; que no sea común ni fácil de adivinar.
refusal-passphrase-taken = Esta contraseña ya está en uso; elija otra.
refusal-device-limit = Ya ha registrado tantos dispositivos como permite su plan; elimine uno primero.
refusal-device-taken = Este dispositivo está registrado a nombre de otro miembro del espacio.
refusal-invalid-mac = Esto no es una dirección Wi-Fi (MAC). Escríbala así: AA:BB:CC:DD:EE:FF.
refusal-unknown-device = Este dispositivo no está registrado en su cuenta.
refusal-no-account = Todavía no tiene una cuenta WiFi.
refusal-other = El servicio WiFi rechazó el cambio: { $reason }

## La página de la clave
key-title = Su WiFi
key-title-error = Error: Su WiFi
key-done-changed = Su nueva contraseña está activa. Vuelva a conectar sus dispositivos con ella.
key-done-generated = Se ha generado una nueva contraseña. Vuelva a conectar sus dispositivos con ella.
key-done-device-added = El dispositivo se ha añadido.
key-done-device-removed = El dispositivo se ha eliminado.
key-network = Red
key-network-name = Nombre de la red
key-location = Ubicación
key-group = Grupo
key-vlan = VLAN
key-valid = Validez
key-valid-no-end = Sin fecha de fin: mientras dure su plan
key-valid-until-day = Hasta el final del { $day } ({ $zone })
key-valid-until = Hasta el { $time } ({ $zone })
key-online = Conectados ahora
key-online-none = Ninguno de sus dispositivos está conectado al WiFi en este momento.
key-online-since = desde el { $time }
key-passphrase = Contraseña
key-passphrase-personal = Su contraseña es personal: conecta sus dispositivos y solo los suyos.
key-show = Mostrar la contraseña y el código QR
key-hide = Ocultar la contraseña y el código QR
key-scan = Escanee para unirse a { $network }:
key-qr-label = Código QR para unirse a la red { $network }
key-copy = Copiar la contraseña
key-copied = Copiada en el portapapeles.
key-change = Cambiar su contraseña
key-new-passphrase = Nueva contraseña
key-new-passphrase-hint = De 8 a 63 caracteres; letras, cifras y símbolos salvo las comillas, \ ; , y :
key-set = Usar esta contraseña
key-generate = Generar una contraseña nueva
key-reconnect = Tras un cambio, vuelva a conectar sus dispositivos con la nueva contraseña.
key-preparing = Estamos preparando su contraseña. Recargue la página en un momento.
key-refresh = Actualizar
key-sign-out = Cerrar sesión

## Dispositivos en la página de la clave
devices-title = Sus dispositivos
devices-intro = Donde los puntos de acceso comprueban los dispositivos, solo los que aparecen aquí se conectan con su contraseña. Puede registrar { $limit ->
    [one] un dispositivo
   *[other] hasta { $limit } dispositivos
}.
devices-none = Todavía no hay ningún dispositivo registrado.
devices-remove = Eliminar { $name }
devices-add = Añadir un dispositivo
devices-name = Nombre
devices-name-hint = p. ej. Mi teléfono
devices-mac = Dirección Wi-Fi (MAC)
devices-mac-hint = p. ej. AA:BB:CC:DD:EE:FF
devices-add-button = Añadir este dispositivo
devices-bound-tenant = Añadido por el miembro
devices-bound-admin = Añadido por un administrador
devices-bound-accounting = Vinculado por la red en su primera conexión
devices-bound-handshake = Vinculado por la red durante el intercambio de claves
devices-seen = última vez en el WiFi el { $last } (primera el { $first })
devices-not-seen = sin conectarse al WiFi últimamente
devices-help = ¿Dónde encuentro la dirección Wi-Fi de mi dispositivo?
devices-help-intro = Los teléfonos y portátiles usan una dirección privada para cada red. Elija primero la red (intente unirse una vez) y lea la dirección que se muestra para esa red:
devices-help-iphone = <strong>iPhone, iPad</strong>: Ajustes → Wi-Fi → toque ⓘ junto a la red. Ponga <em>Dirección Wi-Fi privada</em> en <em>Fija</em> (en iOS 17 y anteriores: déjela activada); la dirección aparece en <em>Dirección Wi-Fi</em>.
devices-help-android = <strong>Android</strong>: Ajustes → Redes e Internet → Internet (o Wi-Fi) → el engranaje junto a la red. En <em>Privacidad</em> mantenga <em>Usar MAC aleatoria</em>; la dirección aparece en <em>Detalles de la red</em> → <em>Dirección MAC</em> (los nombres varían según el fabricante).
devices-help-mac = <strong>Mac</strong>: Ajustes del Sistema → Wi-Fi → <em>Detalles…</em> junto a la red. Ponga <em>Dirección Wi-Fi privada</em> en <em>Fija</em>; la dirección aparece debajo.
devices-help-windows = <strong>Windows 11</strong>: Configuración → Red e Internet → Wi-Fi → las propiedades de la red. Ponga <em>Direcciones de hardware aleatorias</em> en <em>Activado</em> (no <em>Cambiar diariamente</em>); la dirección es la <em>Dirección física (MAC)</em>, al final.
devices-help-rotating = Un ajuste que cambia la dirección (rotativa, cambio diario) hace que el dispositivo vuelva a ser desconocido: registre la nueva dirección.
