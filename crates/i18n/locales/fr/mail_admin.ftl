# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).
