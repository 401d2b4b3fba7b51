# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The log of sends (mail-log-*): /canvas/admin/emails.
mail-log-nav = Sent emails
mail-log-title = Emails to members
mail-log-intro = The latest emails Lanyard sent your members (or decided not to send), newest first. Addresses are never stored; a failed email is retried with growing pauses.
mail-log-empty = No email has been sent yet.
mail-log-caption = Times in { $timezone }.
mail-log-limit = { $limit ->
    [one] The newest email is shown.
   *[other] At most the newest { $limit } emails are shown.
}
mail-log-kind = Message
mail-log-member = Member
mail-log-outcome = Outcome
mail-log-when = When
mail-log-attempts = Attempts
mail-log-reason = Last error
mail-log-member-gone = (account deleted)
mail-log-kind-welcome = Welcome
mail-log-kind-key-changed = Passphrase changed
mail-log-kind-access-ending = Access ending
mail-log-kind-access-suspended = Access suspended
mail-log-kind-guest-invited = Guest invitation
mail-log-outcome-sending = Sending
mail-log-outcome-sent = Sent
mail-log-outcome-failed = Failed, will retry
mail-log-outcome-skipped-off = Not sent: switched off
mail-log-outcome-skipped-deleted = Not sent: member deleted
