# Páginas dos membros e canvas da aplicação.
language-name = Português
language-switch = Idioma: { $language }
