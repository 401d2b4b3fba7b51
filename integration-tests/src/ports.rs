//! Free loopback ports for servers a test starts later (FreeRADIUS, the NAS simulator),
//! picked below the kernel's ephemeral range (`bus::testing::ports` says why).

/// A UDP port on 127.0.0.1 that was free a moment ago.
pub fn free_udp_port() -> anyhow::Result<u16> {
    Ok(bus::testing::ports::free_udp_port()?)
}
