# Emails to tenants.

## Shared by every email. Variables: $place (the location), $network (its WiFi name),
## $organization (who writes: the sender name or the location), $hours (how long a link works).
mail-greeting = Hello,
mail-sign-off = The { $organization } team
mail-link-note = The link works once, within { $hours ->
    [one] an hour
   *[other] { $hours } hours
}. If it has expired, ask for a new one on the same page.
mail-never-passphrase = For your security, this email never contains your passphrase.

## Welcome: the member's first access at a location.
mail-welcome-subject = Your WiFi at { $place }
mail-welcome-intro = Welcome! You now have WiFi access at { $place }.
mail-welcome-network = The network is called { $network }.
mail-welcome-action = Open your key page to see your personal passphrase and connect your devices:
mail-welcome-button = Open my WiFi key

## Key changed: an admin changed the passphrase, or it was regenerated.
mail-key-changed-subject = Your WiFi passphrase at { $place } has changed
mail-key-changed-intro = Your personal passphrase for the network { $network } has changed.
mail-key-changed-action = Reconnect your devices with the new passphrase. Your key page shows it:
mail-key-changed-button = See my new key

## Access ending: a reminder before the end. $ends is the day and time at the location.
mail-access-ending-subject = Your WiFi at { $place } ends on { $ends }
mail-access-ending-intro = Your WiFi access at { $place } ends on { $ends } (local time).
mail-access-ending-action = If your plan continues, nothing changes for you. To keep your access, speak to { $organization }.

## Access suspended: the plan ended or was cancelled.
mail-access-suspended-subject = Your WiFi at { $place } is suspended
mail-access-suspended-ended = Your plan at { $place } has ended, so your WiFi access is suspended.
mail-access-suspended-cancelled = Your plan at { $place } was cancelled, so your WiFi access is suspended.
mail-access-suspended-ask = Questions? Reply to this email or ask { $organization }.

## Guest invited: a meeting's WiFi. $from and $until are the meeting's start and end.
mail-guest-invited-subject = WiFi for your meeting at { $place }
mail-guest-invited-intro = You are expected at { $place }. During your meeting, from { $from } to { $until }, you can use the WiFi network { $network }.
mail-guest-invited-action = Open your guest key to see the passphrase:
mail-guest-invited-button = Open my WiFi key
