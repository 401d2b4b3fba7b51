//! The bus against a real nats-server, one test binary: JetStream publishing and consuming,
//! and the authorization configured as production is. (`missing_server_binary` stays its own
//! binary: it changes `NATS_SERVER_BIN` for the whole process.)

mod authorization;
mod jetstream;
