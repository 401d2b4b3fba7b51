//! RADIUS (issue 16), one test binary: FreeRADIUS, the radius service's endpoints, accounting
//! and revocation's Disconnect-Requests, against real FreeRADIUS, PostgreSQL and NATS.

mod accounting;
mod disconnect;
