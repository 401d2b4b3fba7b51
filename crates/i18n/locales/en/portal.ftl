# Tenant pages and the member's canvas (issue 21). One message per text; see docs/i18n.md.
language-name = English
language-switch = Language: { $language }
language-switch-label = Language
skip-to-content = Skip to content

## The language switch's refusals (POST /language)
language-bad-request = This language choice could not be used
language-unknown = Lanyard is not written in this language. Choose English, Français, Español, Deutsch, Português or Italiano.
language-bad-back = The page to return to is not a page of this site.
language-cross-site = The language can only be changed from this site's own pages.
back-home = Back to the start

## Pages every flow shares
home-title = Lanyard portal
home-text = Your WiFi key is one step away: open your location's portal link, or the WiFi tile in the Optix app.
not-found-title = Page not found
not-found-text = There is nothing at this address. Check the link, or open your location's portal link again.
too-many-title = Too many requests
too-many-security = For your security, only a few requests are allowed in a short time.
too-many-wait = Please try again in { $minutes ->
    [one] about a minute
   *[other] about { $minutes } minutes
}.
unavailable-title = WiFi service temporarily unavailable
unavailable-text = We could not reach the service that manages WiFi access right now. Nothing is lost: please try again in a minute.
try-again = Try again
form-expired-title = This form has expired
form-expired-text = For your security, forms work only on the page that showed them, with cookies on. Please go back, reload the page and try again.
reload-page = Reload the page
unknown-workspace-title = Unknown workspace
unknown-workspace-text = This address does not belong to a workspace that uses this WiFi portal, or the workspace has disconnected it.
unknown-workspace-hint = Check the link you were given, or ask the front desk for your location's WiFi portal address.
unmapped-title = WiFi is not set up for this location yet
unmapped-text = Your workspace has not connected this location to its WiFi yet, so there is no network to give you a key for.
unmapped-told = We have told the administrators. Please ask the front desk, or try again later.
unmapped-detail = Location { $location } is not mapped.
error-database-title = Temporarily unavailable
error-database-text = The portal cannot reach its database right now. Please try again in a minute.
error-internal-title = Something went wrong
error-internal-text = The portal could not show this page. Please try again; if it keeps happening, tell the front desk.

## Signing in by email
email-form-title = WiFi at { $place }
email-form-intro = Enter the email address you use with your workspace. If it belongs to a member, we send you a sign-in link to see your personal WiFi passphrase.
email-label = Email address
email-send = Send me a sign-in link
email-invalid = Enter the email address you use with your workspace, like name@example.com.
back-to-sign-in = Back to the sign-in page
check-email-title = Check your email
check-email-sent = If { $email } belongs to a member, a sign-in link is on its way.
check-email-valid = It works once and for { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}.
check-email-spam = Nothing arrived after a few minutes? Check your spam folder, or make sure you used the address you have with your workspace.
check-email-other = Use another email address
signing-in-title = Signing in
signing-in-wait = Signing you in…
signing-in-needs-js = Signing in needs JavaScript: please turn it on and open the link again.
link-incomplete = This page signs you in with the link from your email, but the link is incomplete.
link-open-again = Open the link from the email again, or ask for a new one.
link-used-title = This sign-in link was already used
link-used-text = Each link works only once. If you just signed in on another device or browser, you can sign in here with a new link.
link-expired-title = This sign-in link has expired
link-expired-text = Sign-in links work for { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}. Ask for a new one: it arrives in a moment.
link-invalid-title = This sign-in link is not valid here
link-invalid-text = The link is incomplete, or it belongs to another location's portal. Open the link from your email again, or ask for a new one here.
link-new = Send me a new link
signed-out-title = You are signed out
signed-out-text = Your WiFi keeps working on your devices: signing out only closes this page.
sign-in-again = Sign in again
not-signed-in-title = You are not signed in
not-signed-in-text = To see your WiFi key, open your location's WiFi portal link and ask for a sign-in link, or open WiFi from the Optix app.

## The canvases (Optix app and dashboard)
canvas-title = WiFi
canvas-open-from-app = Open WiFi from the Optix app to see your WiFi key here.
canvas-signed-in-already = Signed in already? Your key is on the WiFi page.
canvas-rejected-title = We could not sign you in
canvas-rejected-text = Optix did not confirm who you are: the sign-in token is missing, expired or not valid.
canvas-rejected-hint = Close this screen and open it again from the Optix app or dashboard.
canvas-admins-title = Admins only
canvas-admins-text = This part of the WiFi app is for the workspace's administrators. Members find their WiFi key in the Optix app's WiFi tile.
canvas-no-location-title = Open WiFi from a location
canvas-no-location-text = The app did not say which location you are at. Choose your location in the Optix app, then open WiFi from its home screen.

## Onboarding and refusals
get-key-title = Get your WiFi key
get-key-text = You do not have a WiFi account yet. We check your membership and set one up.
get-key-button = Get my WiFi key
preparing-title = Your WiFi account is being prepared
preparing-text = This takes a moment. Reload the page to see your key.
reload = Reload
no-location-title = Open WiFi from your location
no-location-text = Your WiFi account is not tied to a location yet. Open your location's WiFi portal link, or WiFi in your workspace's app, to see your key.
no-live-grant = Your account has no access valid right now (a booking may start later).
no-access-title = No active plan or booking
no-access-text = We could not find an active plan, or a booking for today at this location, in your membership, so there is no WiFi access to give you yet.
no-access-hint = To get WiFi, start a plan or book a desk or room for today (in the Optix app or at the front desk), then open this page again.
check-again = Check again
suspended-title = Your WiFi access is paused
suspended-text = Your WiFi account is kept, but no plan or booking gives you access right now (for example, a plan ended or was cancelled).
suspended-hint = As soon as you have an active plan or a booking again, access comes back by itself with the same passphrase. Ask the front desk if this looks wrong.
unknown-member-title = We could not find your membership
unknown-member-text = The workspace's member system does not know you (any more). If you think this is wrong, ask the front desk.
refused-title = We could not give you WiFi access
refused-text = The WiFi service refused the request. Please ask the front desk.
back-to-wifi = Back to your WiFi

## Refusals of a tenant's change, by code
refusal-invalid-passphrase = This passphrase does not follow the rules: 8 to 63 characters; letters, digits and symbols except quotes, \ ; , and :; not a common or guessable one.
refusal-passphrase-taken = This passphrase is already in use; choose another one.
refusal-device-limit = You have registered as many devices as your plan allows; remove one first.
refusal-device-taken = This device is registered to another member of the workspace.
refusal-invalid-mac = This is not a Wi-Fi (MAC) address. Write it like AA:BB:CC:DD:EE:FF.
refusal-unknown-device = This device is not registered to your account.
refusal-no-account = You do not have a WiFi account yet.
refusal-other = The WiFi service refused the change: { $reason }

## The key page
key-title = Your WiFi
key-title-error = Error: Your WiFi
key-done-changed = Your new passphrase is set. Reconnect your devices with it.
key-done-generated = A new passphrase was generated. Reconnect your devices with it.
key-done-device-added = The device is added.
key-done-device-removed = The device is removed.
key-network = Network
key-network-name = Network name
key-location = Location
key-group = Group
key-vlan = VLAN
key-valid = Valid
key-valid-no-end = No end date: as long as your plan runs
key-valid-until-day = Until the end of { $day } ({ $zone })
key-valid-until = Until { $time } ({ $zone })
key-online = Online now
key-online-none = None of your devices is on the WiFi right now.
key-online-since = since { $time }
key-passphrase = Passphrase
key-passphrase-personal = Your passphrase is personal: it connects your devices and only yours.
key-show = Show passphrase and QR code
key-hide = Hide passphrase and QR code
key-scan = Scan to join { $network }:
key-qr-label = QR code to join the network { $network }
key-copy = Copy passphrase
key-copied = Copied to the clipboard.
key-change = Change your passphrase
key-new-passphrase = New passphrase
key-new-passphrase-hint = 8 to 63 characters; letters, digits and symbols except quotes, \ ; , and :
key-set = Set this passphrase
key-generate = Generate a new passphrase
key-reconnect = After a change, reconnect your devices with the new passphrase.
key-preparing = Your passphrase is being prepared. Refresh the page in a moment.
key-refresh = Refresh
key-sign-out = Sign out

## Devices on the key page
devices-title = Your devices
devices-intro = Where the access points check devices, only the devices listed here join with your passphrase. You can register up to { $limit ->
    [one] one device
   *[other] { $limit } devices
}.
devices-none = No device registered yet.
devices-remove = Remove { $name }
devices-add = Add a device
devices-name = Name
devices-name-hint = e.g. My phone
devices-mac = Wi-Fi address (MAC)
devices-mac-hint = e.g. AA:BB:CC:DD:EE:FF
devices-add-button = Add this device
devices-bound-tenant = Added by the member
devices-bound-admin = Added by an admin
devices-bound-accounting = Bound by the network when it first joined
devices-bound-handshake = Bound by the network at the handshake
devices-seen = last on the WiFi { $last } (first { $first })
devices-not-seen = not on the WiFi lately
devices-help = Where do I find my device's Wi-Fi address?
devices-help-intro = Phones and laptops use a private address for each network. Choose the network first (try to join it once), then read the address shown for that network:
devices-help-iphone = <strong>iPhone, iPad</strong>: Settings → Wi-Fi → tap ⓘ next to the network. Set <em>Private Wi-Fi Address</em> to <em>Fixed</em> (on iOS 17 and earlier: leave it on); the address is under <em>Wi-Fi Address</em>.
devices-help-android = <strong>Android</strong>: Settings → Network &amp; internet → Internet (or Wi-Fi) → the gear next to the network. Under <em>Privacy</em> keep <em>Use randomized MAC</em>; the address is under <em>Network details</em> → <em>MAC address</em> (names vary by maker).
devices-help-mac = <strong>Mac</strong>: System Settings → Wi-Fi → <em>Details…</em> next to the network. Set <em>Private Wi-Fi address</em> to <em>Fixed</em>; the address is shown beneath it.
devices-help-windows = <strong>Windows 11</strong>: Settings → Network &amp; internet → Wi-Fi → the network's properties. Set <em>Random hardware addresses</em> to <em>On</em> (not <em>Change daily</em>); the address is <em>Physical address (MAC)</em> at the bottom.
devices-help-rotating = A setting that changes the address (Rotating, Change daily) makes the device unknown again: register the new address.
