//! Loopback ports for servers a test starts after choosing their port (nats-server,
//! FreeRADIUS, Chromium, the NAS simulator).
//!
//! Asking the kernel for port 0 and releasing it leaves the port in the pool it numbers every
//! client socket from (`net.ipv4.ip_local_port_range`): between the release and the server's
//! own bind, any connection or UDP client of a test running beside it (a PostgreSQL or NATS
//! connection, radclient's source port) may be given it, and the server fails with "Address
//! already in use". So the ports are picked at random below that range, where the kernel
//! numbers nothing itself; only another test's pick of the same port in the same moment
//! could take one (about one in 20,000).

use rand::Rng;
use std::io;
use std::net::{TcpListener, UdpSocket};

/// The lowest port tests pick; below it live well-known services' ports.
const LOWEST: u16 = 10_000;
/// How many random ports to try before giving up.
const ATTEMPTS: usize = 500;

/// A TCP listener on 127.0.0.1, on a port below the ephemeral range: hold it to keep the port,
/// drop it just before the server binds.
pub fn bind_tcp() -> io::Result<TcpListener> {
    bind_below_ephemeral(|port| TcpListener::bind(("127.0.0.1", port)))
}

/// A TCP port on 127.0.0.1 below the ephemeral range, free a moment ago.
pub fn free_tcp_port() -> io::Result<u16> {
    Ok(bind_tcp()?.local_addr()?.port())
}

/// A UDP socket on 127.0.0.1, on a port below the ephemeral range (see [`bind_tcp`]).
pub fn bind_udp() -> io::Result<UdpSocket> {
    bind_below_ephemeral(|port| UdpSocket::bind(("127.0.0.1", port)))
}

/// A UDP port on 127.0.0.1 below the ephemeral range, free a moment ago.
pub fn free_udp_port() -> io::Result<u16> {
    Ok(bind_udp()?.local_addr()?.port())
}

/// `N` distinct TCP ports on 127.0.0.1 below the ephemeral range, free a moment ago: held
/// together while picked (released one by one, the same port could be picked twice, and one
/// server would then answer on another's port).
pub fn free_tcp_ports<const N: usize>() -> io::Result<[u16; N]> {
    distinct(bind_tcp, TcpListener::local_addr)
}

/// `N` distinct UDP ports on 127.0.0.1 below the ephemeral range (see [`free_tcp_ports`]).
pub fn free_udp_ports<const N: usize>() -> io::Result<[u16; N]> {
    distinct(bind_udp, UdpSocket::local_addr)
}

fn distinct<const N: usize, S>(
    bind: fn() -> io::Result<S>,
    address: fn(&S) -> io::Result<std::net::SocketAddr>,
) -> io::Result<[u16; N]> {
    let held = (0..N).map(|_| bind()).collect::<io::Result<Vec<S>>>()?;
    let mut ports = [0; N];
    for (port, socket) in ports.iter_mut().zip(&held) {
        *port = address(socket)?.port();
    }
    Ok(ports)
}

fn bind_below_ephemeral<S>(bind: impl Fn(u16) -> io::Result<S>) -> io::Result<S> {
    let highest = ephemeral_floor().saturating_sub(1);
    if highest <= LOWEST {
        // A machine whose ephemeral range starts this low leaves no room: the kernel picks.
        return bind(0);
    }
    let mut random = rand::thread_rng();
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        match bind(random.gen_range(LOWEST..=highest)) {
            Ok(socket) => return Ok(socket),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free loopback port")))
}

/// The first port of the kernel's ephemeral range (32768 where it cannot be read).
fn ephemeral_floor() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_picked_below_the_ephemeral_range_and_bound() {
        let floor = ephemeral_floor();
        assert!(
            floor > LOWEST,
            "this machine's ephemeral range starts at {floor}"
        );
        let tcp = bind_tcp().expect("a TCP port");
        let udp = bind_udp().expect("a UDP port");
        for port in [
            tcp.local_addr().expect("addr").port(),
            udp.local_addr().expect("addr").port(),
        ] {
            assert!(
                (LOWEST..floor).contains(&port),
                "port {port} is not below {floor}"
            );
        }
        // Held: the same port cannot be bound again while the listener lives.
        let port = tcp.local_addr().expect("addr").port();
        assert!(TcpListener::bind(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn ports_picked_together_are_distinct_and_below_the_ephemeral_range() {
        let floor = ephemeral_floor();
        let tcp: [u16; 10] = free_tcp_ports().expect("TCP ports");
        let udp: [u16; 10] = free_udp_ports().expect("UDP ports");
        for ports in [tcp, udp] {
            let mut distinct = ports.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), ports.len(), "{ports:?}");
            assert!(ports.iter().all(|port| (LOWEST..floor).contains(port)));
        }
    }
}
