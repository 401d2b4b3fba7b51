# Páginas de administración y canvas de administración (issue 21). Un mensaje por texto; los
# términos de operador (VLAN, NAS, RADIUS, PPSK, SSID, CoA) se quedan igual en todos los idiomas.

## Marco, navegación, palabras compartidas

admin-brand = Administración del WiFi
admin-skip = Saltar al contenido
admin-nav-label = Secciones
admin-nav-home = Resumen
admin-nav-connection = Conexión
admin-nav-locations = Sedes
admin-nav-nas = Puntos de acceso
admin-nav-controllers = Controladores WiFi
admin-nav-plans = Planes
admin-nav-members = Miembros
admin-nav-sessions = Sesiones
admin-hint-optional = opcional
admin-none = ninguno
admin-sealed = (sellado)
admin-utc-time = { $time } UTC
admin-test-connection = Probar la conexión
admin-connection-works = La conexión funciona: { $answer }.
admin-no-location-mapped = Todavía no hay ninguna sede asignada:
admin-map-location-first = asigne primero una sede
admin-remove = Quitar { $name }
admin-col-remove = Quitar
admin-col-name = Nombre
admin-col-location = Sede
admin-col-member = Miembro
admin-col-status = Estado
admin-col-finished = Terminada
admin-col-outcome = Resultado
admin-col-vlan = VLAN

## Palabras para valores guardados en inglés

admin-word-initial = inicial
admin-word-periodic = periódica
admin-word-manual = manual
admin-word-ok = ok
admin-word-failed = fallida
admin-word-active = activo
admin-word-suspended = suspendido
admin-word-live = activo
admin-word-open-ended = sin fecha de fin
admin-notification-sync-failed = sincronización fallida
admin-notification-unmapped-location = sede sin asignar
admin-notification-group-without-vlan = grupo sin VLAN
admin-notification-unmapped-location-text = Un inquilino pidió WiFi en la sede { $location } de { $platform }, que no está asignada a ninguna sede de Lanyard.
admin-group-vlan = { $group } (VLAN { $vlan })
admin-group-no-vlan = { $group } (sin VLAN)
admin-vlan-only = VLAN { $vlan }

## Lo que hizo un formulario

admin-done-location-mapped = La asignación de la sede está guardada.
admin-done-location-unmapped = La sede ya no está asignada.
admin-done-plan-mapped = El perfil del plan está guardado.
admin-done-plan-unmapped = El plan vuelve a usar el perfil predeterminado.
admin-done-default-set = El perfil predeterminado está guardado.
admin-done-pool-set = El rango de VLAN de la organización está guardado.
admin-done-sync-started = La sincronización con la plataforma de miembros se ha ejecutado.
admin-done-nas-registered = El punto de acceso está guardado.
admin-done-nas-removed = El punto de acceso se ha quitado: sus solicitudes se descartan a partir de ahora.
admin-done-device-removed = El dispositivo se ha quitado.
admin-done-officernd-connected = OfficeRnD está conectado: se están importando sus miembros, membresías y reservas.
admin-done-controller-mapped = El controlador WiFi está guardado: sus claves se actualizan en segundos.
admin-done-controller-unmapped = El controlador WiFi ya no está asignado: sus claves allí permanecen hasta que se eliminen en el panel del fabricante.

## Problemas del formulario

admin-error-unknown-action = Acción desconocida.
admin-error-unknown-location = Sede desconocida.
admin-error-unknown-plan = Plan desconocido.
admin-error-unknown-nas = Punto de acceso desconocido.
admin-error-refused = Rechazado: { $reason }.
admin-error-provision-refused = El cambio fue rechazado: { $reason }
admin-error-whole-number = { $field } debe ser un número entero (se recibió { $value }).
admin-error-pool-both = Un rango de VLAN necesita su primera y su última VLAN (o ninguna de las dos).
admin-error-choose-vendor = Elija el fabricante del punto de acceso.
admin-error-choose-location = Elija una sede.
admin-error-required = «{ $field }» es obligatorio.
admin-error-ssid-number = El número de SSID debe ser un número entero del 0 al 14.
admin-error-credential = La credencial debe tener al menos { $min } caracteres, sin espacios.
admin-field-vlan = La VLAN
admin-field-upload = El límite de subida
admin-field-download = El límite de descarga
admin-field-duration = La duración
admin-field-devices = El número de dispositivos
admin-field-vlan-first = La primera VLAN
admin-field-vlan-last = La última VLAN
admin-field-coa-port = El puerto CoA
admin-field-ssid = SSID

## Inicio de sesión

admin-canvas-open-from-optix = Abra la aplicación WiFi desde el panel de Optix (Apps, o la opción de menú WiFi) para gestionarla aquí.
admin-signed-out-title = Abra la administración del WiFi desde Optix
admin-signed-out-text = Su sesión de administración ha terminado o nunca se inició aquí. Abra la aplicación WiFi desde el panel de Optix (Apps → Gestionar apps → Configurar, o la opción de menú WiFi): así inicia sesión.

## Resumen

admin-home-signed-in = Sesión iniciada como { $name } (organización { $org }).
admin-home-user = usuario { $user }
admin-home-notifications = Notificaciones
admin-home-no-notifications = No hay notificaciones: todas las sedes que usan los inquilinos están asignadas, las sincronizaciones funcionan y cada grupo tiene una VLAN.
admin-col-when = Cuándo
admin-col-what = Qué
admin-col-about = Sobre
admin-col-details = Detalles
admin-home-syncs = Sincronizaciones recientes con { $platform }
admin-home-no-syncs = Todavía no se ha ejecutado ninguna sincronización.
admin-col-kind = Tipo
admin-col-users-seen = Usuarios vistos
admin-col-corrected = Corregidos
admin-col-events = Eventos
admin-col-reason = Motivo
admin-home-sync-now = Sincronizar con { $platform } ahora
admin-home-groups = Grupos de equipo
admin-home-no-groups = Ningún equipo tiene todavía miembros con WiFi.
admin-col-team = Equipo
admin-col-members = Miembros

## Conexión

admin-connection-officernd = La organización { $org } está conectada a OfficeRnD: los miembros reciben WiFi por sus membresías, reservas y pases de día allí. Lanyard sincroniza cada 15 minutos y con cada webhook.
admin-connection-platform = Plataforma
admin-connection-slug = Slug de la organización
admin-connection-client-id = ID de cliente
admin-connection-client-secret = Secreto de cliente
admin-connection-sealed = guardado sellado (no se muestra)
admin-connection-optix = La organización { $org } está conectada a Optix mediante la aplicación Lanyard; su conexión se gestiona en Optix (Apps → Gestionar apps).
admin-connection-next = A continuación, asigne las sedes a redes WiFi y los planes a perfiles de acceso:
admin-connection-nothing-to-test = Esta organización está conectada mediante la aplicación de Optix: aquí no hay nada que probar.
admin-connection-other-org = Las credenciales guardadas leen otra organización, { $name } ({ $org }): vuelva a conectar con las de esta organización.

## Sedes

admin-locations-intro = Asigne cada sede de { $platform } a su red WiFi. Los inquilinos de una sede sin asignar ven un error y usted recibe una notificación.
admin-location-platform-id = (sede { $location } de { $platform })
admin-location-fallback = Sede { $location }
admin-location-mapped = Asignada
admin-location-network = red
admin-location-not-mapped = Sin asignar
admin-location-unmapped-uses = { $count ->
    [one] los inquilinos pidieron WiFi aquí una vez mientras estaba sin asignar
   *[other] los inquilinos pidieron WiFi aquí { $count } veces mientras estaba sin asignar
}
admin-location-name = Nombre de la sede
admin-location-network-name = Nombre de la red (SSID)
admin-location-timezone = Zona horaria
admin-location-timezone-hint = nombre IANA, p. ej. Europe/Madrid
admin-location-roaming = Dónde funcionan las claves
admin-roaming-single = Solo en esta sede
admin-roaming-all = En todas las sedes
admin-roaming-plan = Donde sea válido el plan del miembro
admin-location-pool-first = Rango de VLAN: primera
admin-hint-vlan = opcional, 1–4094
admin-location-pool-last = Rango de VLAN: última
admin-location-save = Guardar la asignación
admin-location-map = Asignar esta sede
admin-location-unmap = Desasignar { $location }
admin-locations-none = { $platform } no muestra ninguna sede que usted gestione.

## Puntos de acceso (NAS)

admin-nas-intro = Los puntos de acceso y controladores (NAS) que pueden pedir las claves de los miembros al servidor RADIUS de Lanyard. Una solicitud desde una dirección que no figure aquí se descarta. Asigne primero una sede; consulte la guía de RADIUS para los ajustes de cada fabricante.
admin-nas-network = (red { $network })
admin-nas-none = Todavía no hay ningún punto de acceso registrado aquí.
admin-nas-at = Puntos de acceso en { $location }
admin-col-id = ID
admin-col-address = Dirección
admin-col-vendor = Fabricante
admin-col-ssids = SSID
admin-col-coa-port = Puerto CoA
admin-nas-add = Añadir o cambiar un punto de acceso
admin-nas-id-hint = a–z, 0–9 y -, p. ej. lobby-ap-1; un ID existente cambia ese punto de acceso
admin-nas-address-hint = de dónde llegan sus solicitudes RADIUS: 10.0.0.7 o 10.0.0.0/24
admin-nas-ssids-hint = uno por línea, 32 bytes como máximo cada uno
admin-nas-coa-hint = opcional, 3799 si está vacío
admin-nas-secret = Secreto compartido
admin-nas-secret-hint = de 16 a 128 caracteres, sin espacios; déjelo vacío para conservar el actual al cambiar un punto de acceso
admin-nas-save = Guardar el punto de acceso
admin-dialect-meraki = Meraki (iPSK con RADIUS)

## Controladores WiFi

admin-controllers-intro-before = Lanyard mantiene las claves de estos controladores iguales a las suyas: una clave cambiada o borrada en el panel del fabricante se restablece en la siguiente conciliación. Asigne una sede abajo (o con
admin-controllers-intro-after = ); la credencial se guarda sellada y no se vuelve a mostrar.
admin-controller-heading = Sede { $location }: { $vendor }
admin-controller-unmap = Desasignar la sede { $location }
admin-controller-not-reconciled = Todavía sin conciliar.
admin-controller-recent = Últimas conciliaciones
admin-col-why = Por qué
admin-col-created = Creadas
admin-col-updated = Actualizadas
admin-col-deleted = Borradas
admin-col-drift = Desviaciones corregidas
admin-controllers-none = Ninguna sede está asignada a un controlador WiFi.
admin-controller-map-heading = Asignar una sede a un controlador
admin-controller-map-replaces = Asignar una sede que ya tiene un controlador lo reemplaza.
admin-vendor-meraki = Meraki (identity PSK)
admin-vendor-openwrt = Grupo de AP de OpenWrt
admin-vendor-unifi = UniFi (claves precompartidas privadas)
admin-vendor-mist = Mist (PSK)
admin-meraki-org = ID de organización de Meraki
admin-meraki-network = ID de red
admin-meraki-ssid = Número de SSID
admin-meraki-key = Clave de API del panel
admin-openwrt-group = Nombre del grupo de AP
admin-openwrt-token = Token de descarga
admin-openwrt-token-hint = al menos 32 caracteres; lo envían los routers
admin-unifi-url = URL de la aplicación Network
admin-unifi-url-hint = https://console/proxy/network en UniFi OS
admin-unifi-site = Site
admin-unifi-site-hint = default si está vacío
admin-unifi-wlan = ID de WLAN
admin-unifi-key = Clave de API
admin-mist-org = ID de organización de Mist
admin-mist-site = ID de site
admin-mist-site-hint = opcional: PSK de la organización si está vacío
admin-mist-token = Token de API
admin-controller-map-to = Asignar a { $vendor }
admin-target-meraki = organización { $org }, red { $network }, SSID { $ssid }
admin-target-openwrt = grupo de AP { $group }
admin-target-unifi = UniFi { $url }, site { $site }, WLAN { $wlan }
admin-target-mist-site = site de Mist { $site }, SSID { $ssid }
admin-target-mist-org = organización de Mist { $org }, SSID { $ssid }
admin-controller-none-mapped = No hay ningún controlador asignado a esta sede.
admin-controller-nothing-to-reach = Los routers OpenWrt descargan su archivo de claves de Lanyard; no hay nada que contactar
admin-controller-unexpected = El controlador no respondió como se esperaba: { $error }.

## Planes y perfiles de acceso

admin-plans-heading = Planes y perfiles de acceso
admin-plans-intro = Cada plan de { $platform } da un perfil de acceso: WiFi sí o no, una VLAN, límites de ancho de banda, una duración y cuántos dispositivos puede registrar un miembro. Los planes que no asigne usan el perfil predeterminado.
admin-pool-heading = Rango de VLAN de la organización
admin-pool-intro = Los grupos de equipo reciben su VLAN de este rango (o del rango de su sede cuando este está vacío).
admin-pool-first = Primera VLAN
admin-pool-last = Última VLAN
admin-pool-save = Guardar el rango
admin-pool-hint = Deje ambos vacíos para usar solo los rangos de las sedes.
admin-default-heading = Perfil predeterminado
admin-default-save = Guardar el perfil predeterminado
admin-plans-error = { $platform } no listó los planes: { $error }. Vuelva a abrir la administración del WiFi desde { $platform } para reintentarlo.
admin-plan-id = (plan { $plan })
admin-plan-fallback = Plan { $plan }
admin-plan-own = Perfil propio
admin-plan-save = Guardar el perfil
admin-plan-give = Dar a este plan su propio perfil
admin-plan-unmap = Volver al perfil predeterminado
admin-profile-name = Nombre del perfil
admin-profile-wifi = WiFi incluido
admin-profile-vlan-hint = opcional; la VLAN del grupo de equipo tiene prioridad
admin-profile-hours = Duración (horas)
admin-profile-hours-hint = opcional, p. ej. 24 para un pase de día
admin-profile-down = Límite de descarga (kbit/s)
admin-profile-up = Límite de subida (kbit/s)
admin-profile-devices = Dispositivos por miembro
admin-profile-devices-hint = opcional, 1–100; 5 si está vacío

## Miembros

admin-members-count = { $total ->
    [one] 1 cuenta WiFi
   *[other] { $total } cuentas WiFi
}
admin-members-shown = , { $first }–{ $last } mostradas
admin-members-open = Abra una para ver su historial.
admin-members-times = Las horas están en la zona horaria de la sede de cada miembro.
admin-col-access = Acceso
admin-col-valid-until = Válido hasta
admin-col-group = Grupo
admin-members-user = usuario { $user }
admin-members-none = Ningún miembro tiene todavía una cuenta WiFi.
admin-members-past-end = Esta página está más allá del último miembro:
admin-members-back-first = volver a la primera página
admin-members-pages = Páginas de miembros
admin-previous = ← Anterior
admin-next = Siguiente →
admin-no-page-title = No existe esa página
admin-no-page-text = El número de página debe ser un número entero a partir de 1.

## Un miembro

admin-member-all = ← Todos los miembros
admin-member-title = { $name } · Miembro
admin-member-title-id = Miembro { $user }
admin-member-email = Correo electrónico
admin-member-platform-user = Usuario de { $platform }
admin-member-group-vlan = Grupo / VLAN
admin-member-devices = Dispositivos
admin-member-devices-limit = Como máximo { $limit } dispositivos (el mayor límite de los perfiles de los planes vigentes del miembro).
admin-member-no-devices = Ningún dispositivo registrado.
admin-col-wifi-address = Dirección Wi-Fi
admin-col-how = Cómo
admin-col-added = Añadido
admin-col-seen = Visto
admin-member-history = Historial
admin-member-history-note = Cada cambio de esta cuenta, del más antiguo al más reciente, en la hora de { $tz }.
admin-member-by = { $line } — por { $actor }
admin-no-member-title = No existe ese miembro
admin-no-member-text = Esta organización no tiene ninguna cuenta WiFi para ese usuario.

## Sesiones

admin-sessions-intro = Los dispositivos conectados al WiFi ahora, por sede, según los informan los puntos de acceso (contabilidad RADIUS). Las horas están en la zona horaria de cada sede; ↓ es lo que descargó el dispositivo.
admin-sessions-online = { $count } en línea
admin-sessions-truncated = , se muestran los { $limit } más recientes
admin-sessions-none = Ningún dispositivo está en línea en esta sede.
admin-sessions-at = Sesiones en { $location }
admin-times-in = Horas en { $tz }.
admin-col-device = Dispositivo
admin-col-nas = Punto de acceso
admin-col-since = Desde
admin-col-last-report = Último informe
admin-col-traffic = Tráfico
admin-session-no-member = dispositivo no registrado a ningún miembro
admin-session-deleted = (cuenta eliminada)

## OfficeRnD

admin-officernd-member = Miembro de OfficeRnD { $member }
admin-officernd-refused-title = Se rechazó la firma de OfficeRnD
admin-officernd-refused-text = Vuelva a abrir la administración del WiFi desde OfficeRnD (su página de integración firma cada visita).
admin-officernd-continue-intro = OfficeRnD abrió la administración del WiFi de Lanyard para la organización { $org }.
admin-officernd-continue = Continuar a la administración del WiFi
admin-officernd-connect-title = Conectar OfficeRnD
admin-officernd-connect-intro-before = Conecte su organización de OfficeRnD a Lanyard: los miembros recibirán su WiFi por sus membresías, reservas y pases de día. Necesita el código de conexión que le dio su operador de Lanyard (
admin-officernd-connect-intro-after = ), y de OfficeRnD (Settings → Developer Tools) el ID y el secreto de cliente de una aplicación y el secreto del webhook que envía a Lanyard.
admin-officernd-code = Código de conexión
admin-officernd-client-secret-hint = se guarda sellado y no se vuelve a mostrar
admin-officernd-webhook-secret = Secreto del webhook
admin-officernd-webhook-secret-hint = necesario para conectar, no para probar
admin-officernd-connect = Conectar
admin-officernd-bad-slug = El slug es el nombre de la organización en las direcciones de OfficeRnD (app.officernd.com/admin/<slug>): letras, dígitos, - y _.
admin-officernd-give-client-id = Indique el ID de cliente de la aplicación.
admin-officernd-give-client-secret = Indique el secreto de cliente de la aplicación.
admin-officernd-connected-already = { $name } ya está conectada: abra la administración del WiFi desde OfficeRnD para gestionarla.
admin-officernd-bad-credentials = OfficeRnD rechazó el ID y el secreto de cliente para este slug de organización: revíselos (Settings → Developer Tools → Applications) y también el slug.
admin-officernd-forbidden = OfficeRnD denegó el acceso: conceda a la aplicación permisos de lectura.
admin-officernd-unreachable = No se pudo contactar con OfficeRnD ({ $error }); inténtelo de nuevo en un momento.
