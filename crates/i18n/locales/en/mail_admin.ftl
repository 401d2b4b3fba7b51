# Admin pages about emails: the settings (mail-settings-*) and the log of sends (mail-log-*).

## The organization's email settings (admin canvas, "Emails").
mail-settings-nav = Emails
mail-settings-heading = Emails to tenants
mail-settings-intro = Lanyard emails your tenants when they first get WiFi at a location, when their passphrase changes, before their access ends, when it is suspended, and when they are invited to a meeting. Choose which of these go, whom they come from and when reminders go.
mail-settings-messages-heading = Messages
mail-settings-messages-intro = Switch off a message to stop sending it to every tenant of the organization.
mail-settings-kind-welcome = Welcome
    .hint = The network name and a sign-in link, at a member's first access to a location.
mail-settings-kind-key-changed = Passphrase changed
    .hint = When an admin changes a member's passphrase or a new one is generated: reconnect your devices.
mail-settings-kind-access-ending = Access ending
    .hint = A reminder before a plan, a booking or a day pass ends.
mail-settings-kind-access-suspended = Access suspended
    .hint = When a plan ended or was cancelled: what happened and whom to ask.
mail-settings-kind-guest-invited = Meeting guest
    .hint = A guest's WiFi for the duration of the meeting, with the sign-in link.
mail-settings-sender-heading = Sender
mail-settings-sender-name = Sender name
    .hint = Shown as whom the email comes from, e.g. your coworking's name. Leave empty for Lanyard's default.
mail-settings-reply-to = Reply-to address
    .hint = Where tenants' answers go, e.g. your front desk. Leave empty to have none.
mail-settings-reminders-heading = Reminders
mail-settings-plan-reminder = Hours before a plan ends
    .hint = Between 1 and 720 (30 days); 24 unless you change it.
mail-settings-booking-reminder = Hours before a booking or a day pass ends
    .hint = Between 1 and 720, or empty for no reminder (the default: same-day bookings need none).
mail-settings-wording-heading = Wording
mail-settings-wording-intro = Each language's emails use Lanyard's wording, shown beside the box. To reword a message, copy it into the box with its name and change its text; keep the names that start with $, they are replaced by the member's details. Leave the box empty to use Lanyard's wording.
mail-settings-wording-own = Your wording ({ $language })
    .hint = Only the messages you change, in the same format as Lanyard's wording.
mail-settings-wording-catalogue = Lanyard's wording ({ $language })
mail-settings-save = Save the email settings
mail-settings-saved = The email settings are saved.
mail-settings-error-reply-to = The reply-to address “{ $address }” is not an email address: write one such as desk@example.com.
mail-settings-error-sender-empty = The sender name is empty: write one, or leave the field empty for the default.
mail-settings-error-sender-long = The sender name is { $length } characters long; at most { $max } are allowed.
mail-settings-error-sender-character = The sender name may not contain { $character }: quotes, angle brackets, backslashes and line breaks break the email's sender line.
mail-settings-error-plan-hours = The plan reminder must be between 1 and 720 hours before the end (not { $hours }).
mail-settings-error-booking-hours = The booking reminder must be between 1 and 720 hours before the end (not { $hours }), or empty.
mail-settings-error-language = { $language } is not a language Lanyard writes.
mail-settings-error-wording-syntax = Your wording ({ $language }), line { $line }: { $reason }
mail-settings-error-wording-unknown = Your wording ({ $language }) names { $message }, which is not one of Lanyard's messages: reword only existing messages.
mail-settings-error-wording-long = Your wording ({ $language }) is { $bytes } bytes long; at most 65536 are allowed.

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
