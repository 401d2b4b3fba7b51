# Pages des membres et canvas de l'application.
language-name = Français
language-switch = Langue : { $language }
