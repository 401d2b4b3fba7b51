# Páginas de los miembros y canvas de la aplicación.
language-name = Español
language-switch = Idioma: { $language }
