# Admin pages and the admin canvas (issue 21). One message per text; operator terms (VLAN,
# NAS, RADIUS, PPSK, SSID, CoA) stay as they are in every language.

## Frame, navigation, shared words

admin-brand = WiFi administration
admin-skip = Skip to content
admin-nav-label = Sections
admin-nav-home = Overview
admin-nav-connection = Connection
admin-nav-locations = Locations
admin-nav-nas = Access points
admin-nav-controllers = WiFi controllers
admin-nav-plans = Plans
admin-nav-members = Members
admin-nav-sessions = Sessions
admin-hint-optional = optional
admin-none = none
admin-sealed = (sealed)
admin-utc-time = { $time } UTC
admin-test-connection = Test connection
admin-connection-works = Connection works: { $answer }.
admin-no-location-mapped = No location is mapped yet:
admin-map-location-first = map a location first
admin-remove = Remove { $name }
admin-col-remove = Remove
admin-col-name = Name
admin-col-location = Location
admin-col-member = Member
admin-col-status = Status
admin-col-finished = Finished
admin-col-outcome = Outcome
admin-col-vlan = VLAN

## Words for values stored in English

admin-word-initial = initial
admin-word-periodic = periodic
admin-word-manual = manual
admin-word-ok = ok
admin-word-failed = failed
admin-word-active = active
admin-word-suspended = suspended
admin-word-live = live
admin-word-open-ended = open-ended
admin-notification-sync-failed = sync failed
admin-notification-unmapped-location = unmapped location
admin-notification-group-without-vlan = group without VLAN
admin-notification-unmapped-location-text = A tenant asked for WiFi at { $platform } location { $location }, which is not mapped to a Lanyard location.
admin-group-vlan = { $group } (VLAN { $vlan })
admin-group-no-vlan = { $group } (no VLAN)
admin-vlan-only = VLAN { $vlan }

## What a form did (the notice after it)

admin-done-location-mapped = The location mapping is saved.
admin-done-location-unmapped = The location is unmapped.
admin-done-plan-mapped = The plan's profile is saved.
admin-done-plan-unmapped = The plan uses the default profile again.
admin-done-default-set = The default profile is saved.
admin-done-pool-set = The organization's VLAN pool is saved.
admin-done-sync-started = The sync with the membership platform ran.
admin-done-nas-registered = The access point is saved.
admin-done-nas-removed = The access point is removed: its requests are dropped from now on.
admin-done-device-removed = The device is removed.
admin-done-officernd-connected = OfficeRnD is connected: its members, memberships and bookings are being imported.
admin-done-controller-mapped = The WiFi controller is saved: its keys follow within seconds.
admin-done-controller-unmapped = The WiFi controller is unmapped: its keys there stay until removed in the vendor's dashboard.

## Form problems

admin-error-unknown-action = Unknown action.
admin-error-unknown-location = Unknown location.
admin-error-unknown-plan = Unknown plan.
admin-error-unknown-nas = Unknown access point.
admin-error-refused = Refused: { $reason }.
admin-error-provision-refused = The change was refused: { $reason }
admin-error-whole-number = { $field } must be a whole number (got { $value }).
admin-error-pool-both = A VLAN pool needs both its first and its last VLAN (or neither).
admin-error-choose-vendor = Choose the vendor of the access point.
admin-error-choose-location = Choose a location.
admin-error-required = “{ $field }” is required.
admin-error-ssid-number = The SSID number must be a whole number from 0 to 14.
admin-error-credential = The credential must be at least { $min } characters, without spaces.
admin-field-vlan = The VLAN
admin-field-upload = The upload limit
admin-field-download = The download limit
admin-field-duration = The duration
admin-field-devices = The number of devices
admin-field-vlan-first = The first VLAN
admin-field-vlan-last = The last VLAN
admin-field-coa-port = The CoA port
admin-field-ssid = SSID

## Signing in

admin-canvas-open-from-optix = Open the WiFi app from the Optix dashboard (Apps, or the WiFi menu item) to manage it here.
admin-signed-out-title = Please open WiFi administration from Optix
admin-signed-out-text = Your admin session has ended or was never started here. Open the WiFi app from the Optix dashboard (Apps → Manage apps → Configure, or the WiFi menu item): it signs you in.

## Overview

admin-home-signed-in = Signed in as { $name } (organization { $org }).
admin-home-user = user { $user }
admin-home-notifications = Notifications
admin-home-no-notifications = No notifications: every location tenants used is mapped, syncs succeed and every group has a VLAN.
admin-col-when = When
admin-col-what = What
admin-col-about = About
admin-col-details = Details
admin-home-syncs = Recent syncs with { $platform }
admin-home-no-syncs = No sync has run yet.
admin-col-kind = Kind
admin-col-users-seen = Users seen
admin-col-corrected = Corrected
admin-col-events = Events
admin-col-reason = Reason
admin-home-sync-now = Sync with { $platform } now
admin-home-groups = Team groups
admin-home-no-groups = No team has WiFi members yet.
admin-col-team = Team
admin-col-members = Members

## Connection

admin-connection-officernd = Organization { $org } is connected to OfficeRnD: members get WiFi from their memberships, bookings and day passes there. Lanyard syncs every 15 minutes and on every webhook.
admin-connection-platform = Platform
admin-connection-slug = Organization slug
admin-connection-client-id = Client id
admin-connection-client-secret = Client secret
admin-connection-sealed = stored sealed (not shown)
admin-connection-optix = Organization { $org } is connected to Optix through the Lanyard app; its connection is managed in Optix (Apps → Manage apps).
admin-connection-next = Next, map locations to WiFi networks and plans to access profiles:
admin-connection-nothing-to-test = This organization is connected through the Optix app: there is nothing to test here.
admin-connection-other-org = The stored credentials read another organization, { $name } ({ $org }): connect again with this organization's.

## Locations

admin-locations-intro = Map each { $platform } location to its WiFi network. Tenants at an unmapped location see an error and you get a notification.
admin-location-platform-id = ({ $platform } location { $location })
admin-location-fallback = Location { $location }
admin-location-mapped = Mapped
admin-location-network = network
admin-location-not-mapped = Not mapped
admin-location-unmapped-uses = { $count ->
    [one] tenants asked for WiFi here once while unmapped
   *[other] tenants asked for WiFi here { $count } times while unmapped
}
admin-location-name = Location name
admin-location-network-name = Network name (SSID)
admin-location-timezone = Time zone
admin-location-timezone-hint = IANA name, e.g. Europe/Rome
admin-location-roaming = Where keys work
admin-roaming-single = Only at this location
admin-roaming-all = At every location
admin-roaming-plan = Where the member's plan is valid
admin-location-pool-first = VLAN pool: first
admin-hint-vlan = optional, 1–4094
admin-location-pool-last = VLAN pool: last
admin-location-save = Save mapping
admin-location-map = Map this location
admin-location-unmap = Unmap { $location }
admin-locations-none = { $platform } shows no location you manage.

## Access points (NAS)

admin-nas-intro = The access points and controllers (NASes) that may ask Lanyard's RADIUS server for members' keys. A request from an address not listed here is dropped. Map a location first; see the RADIUS guide for each vendor's settings.
admin-nas-network = (network { $network })
admin-nas-none = No access point registered here yet.
admin-nas-at = Access points at { $location }
admin-col-id = Id
admin-col-address = Address
admin-col-vendor = Vendor
admin-col-ssids = SSIDs
admin-col-coa-port = CoA port
admin-nas-add = Add or change an access point
admin-nas-id-hint = a–z, 0–9 and -, e.g. lobby-ap-1; an existing id changes that access point
admin-nas-address-hint = where its RADIUS requests come from: 10.0.0.7 or 10.0.0.0/24
admin-nas-ssids-hint = one per line, at most 32 bytes each
admin-nas-coa-hint = optional, 3799 when empty
admin-nas-secret = Shared secret
admin-nas-secret-hint = 16–128 characters, no spaces; leave empty to keep the current one when changing an access point
admin-nas-save = Save access point
admin-dialect-meraki = Meraki (iPSK with RADIUS)

## WiFi controllers

admin-controllers-intro-before = Lanyard keeps these controllers' keys equal to its own: a key changed or deleted in the vendor's dashboard is put back at the next reconciliation. Map a location below (or with
admin-controllers-intro-after = ); the credential is stored sealed and never shown again.
admin-controller-heading = Location { $location }: { $vendor }
admin-controller-unmap = Unmap location { $location }
admin-controller-not-reconciled = Not reconciled yet.
admin-controller-recent = Latest reconciliations
admin-col-why = Why
admin-col-created = Created
admin-col-updated = Updated
admin-col-deleted = Deleted
admin-col-drift = Drift corrected
admin-controllers-none = No location is mapped to a WiFi controller.
admin-controller-map-heading = Map a location to a controller
admin-controller-map-replaces = Mapping a location that already has a controller replaces it.
admin-vendor-meraki = Meraki (identity PSKs)
admin-vendor-openwrt = OpenWrt AP group
admin-vendor-unifi = UniFi (private pre-shared keys)
admin-vendor-mist = Mist (PSKs)
admin-meraki-org = Meraki organization id
admin-meraki-network = Network id
admin-meraki-ssid = SSID number
admin-meraki-key = Dashboard API key
admin-openwrt-group = AP group name
admin-openwrt-token = Fetch token
admin-openwrt-token-hint = at least 32 characters; the routers send it
admin-unifi-url = Network application URL
admin-unifi-url-hint = https://console/proxy/network on UniFi OS
admin-unifi-site = Site
admin-unifi-site-hint = default when empty
admin-unifi-wlan = WLAN id
admin-unifi-key = API key
admin-mist-org = Mist organization id
admin-mist-site = Site id
admin-mist-site-hint = optional: organization PSKs when empty
admin-mist-token = API token
admin-controller-map-to = Map to { $vendor }
admin-target-meraki = organization { $org }, network { $network }, SSID { $ssid }
admin-target-openwrt = AP group { $group }
admin-target-unifi = UniFi { $url }, site { $site }, WLAN { $wlan }
admin-target-mist-site = Mist site { $site }, SSID { $ssid }
admin-target-mist-org = Mist organization { $org }, SSID { $ssid }
admin-controller-none-mapped = No controller is mapped to this location.
admin-controller-nothing-to-reach = OpenWrt routers fetch their key file from Lanyard; nothing to reach
admin-controller-unexpected = The controller did not answer as expected: { $error }.

## Plans and access profiles

admin-plans-heading = Plans and access profiles
admin-plans-intro = Each { $platform } plan gives an access profile: WiFi on or off, a VLAN, bandwidth limits, a duration and how many devices a member may register. Plans you do not map use the default profile.
admin-pool-heading = Organization VLAN pool
admin-pool-intro = Team groups get their VLAN from this pool (or from their location's pool when it is empty).
admin-pool-first = First VLAN
admin-pool-last = Last VLAN
admin-pool-save = Save the pool
admin-pool-hint = Leave both empty to use location pools only.
admin-default-heading = Default profile
admin-default-save = Save the default profile
admin-plans-error = { $platform } did not list the plans: { $error }. Open WiFi administration again from { $platform } to retry.
admin-plan-id = (plan { $plan })
admin-plan-fallback = Plan { $plan }
admin-plan-own = Own profile
admin-plan-save = Save profile
admin-plan-give = Give this plan its own profile
admin-plan-unmap = Back to the default profile
admin-profile-name = Profile name
admin-profile-wifi = WiFi included
admin-profile-vlan-hint = optional; a team's group VLAN comes first
admin-profile-hours = Duration (hours)
admin-profile-hours-hint = optional, e.g. 24 for a day pass
admin-profile-down = Download limit (kbit/s)
admin-profile-up = Upload limit (kbit/s)
admin-profile-devices = Devices per member
admin-profile-devices-hint = optional, 1–100; 5 when empty

## Members

admin-members-count = { $total } WiFi account(s)
admin-members-shown = , { $first }–{ $last } shown
admin-members-open = Open one for its history.
admin-members-times = Times are in each member's location time zone.
admin-col-access = Access
admin-col-valid-until = Valid until
admin-col-group = Group
admin-members-user = user { $user }
admin-members-none = No member has a WiFi account yet.
admin-members-past-end = This page is past the last member:
admin-members-back-first = back to the first page
admin-members-pages = Pages of members
admin-previous = ← Previous
admin-next = Next →
admin-no-page-title = No such page
admin-no-page-text = The page number must be a whole number from 1 up.

## One member

admin-member-all = ← All members
admin-member-title = { $name } · Member
admin-member-title-id = Member { $user }
admin-member-email = Email
admin-member-platform-user = { $platform } user
admin-member-group-vlan = Group / VLAN
admin-member-devices = Devices
admin-member-devices-limit = At most { $limit } devices (the largest limit of the member's live plans' profiles).
admin-member-no-devices = No device registered.
admin-col-wifi-address = Wi-Fi address
admin-col-how = How
admin-col-added = Added
admin-col-seen = Seen
admin-member-history = History
admin-member-history-note = Every change to this account, oldest first, in { $tz } time.
admin-member-by = { $line } — by { $actor }
admin-no-member-title = No such member
admin-no-member-text = This organization has no WiFi account for that user.

## Sessions

admin-sessions-intro = Devices on the WiFi now, per location, as the access points report them (RADIUS accounting). Times are in each location's time zone; ↓ is what the device downloaded.
admin-sessions-online = { $count } online
admin-sessions-truncated = , the newest { $limit } shown
admin-sessions-none = No device is online at this location.
admin-sessions-at = Sessions at { $location }
admin-times-in = Times in { $tz }.
admin-col-device = Device
admin-col-nas = Access point
admin-col-since = Since
admin-col-last-report = Last report
admin-col-traffic = Traffic
admin-session-no-member = device not registered to a member
admin-session-deleted = (account deleted)

## OfficeRnD

admin-officernd-member = OfficeRnD member { $member }
admin-officernd-refused-title = OfficeRnD's signature was refused
admin-officernd-refused-text = Open WiFi administration from OfficeRnD again (its integration page signs each visit).
admin-officernd-continue-intro = OfficeRnD opened Lanyard's WiFi administration for organization { $org }.
admin-officernd-continue = Continue to WiFi administration
admin-officernd-connect-title = Connect OfficeRnD
admin-officernd-connect-intro-before = Connect your OfficeRnD organization to Lanyard: members then get their WiFi from their memberships, bookings and day passes. You need the connect code your Lanyard operator gave you (
admin-officernd-connect-intro-after = ), and from OfficeRnD (Settings → Developer Tools) an application's client id and secret and the secret of the webhook that sends to Lanyard.
admin-officernd-code = Connect code
admin-officernd-client-secret-hint = stored sealed, never shown again
admin-officernd-webhook-secret = Webhook secret
admin-officernd-webhook-secret-hint = needed to connect, not to test
admin-officernd-connect = Connect
admin-officernd-bad-slug = The slug is the organization's name in OfficeRnD's addresses (app.officernd.com/admin/<slug>): letters, digits, - and _.
admin-officernd-give-client-id = Give the application's client id.
admin-officernd-give-client-secret = Give the application's client secret.
admin-officernd-connected-already = { $name } is connected already: open WiFi administration from OfficeRnD to manage it.
admin-officernd-bad-credentials = OfficeRnD refused the client id and secret for this organization slug: check them (Settings → Developer Tools → Applications) and the slug.
admin-officernd-forbidden = OfficeRnD refused access: grant the application read permissions.
admin-officernd-unreachable = OfficeRnD could not be reached ({ $error }); try again in a moment.
