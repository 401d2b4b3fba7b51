//! Revocation → Disconnect-Request (RFC 5176): the packet, its sender, and the follower of
//! the member events that decides which live sessions must end.

pub mod follower;
pub mod packet;
pub mod sender;
