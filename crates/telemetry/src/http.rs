//! HTTP for every actix-web service: request metrics, the `/metrics` and `/healthz` endpoints,
//! binding a listener, and the operations listener.

use crate::metrics;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{App, FromRequest, Handler, HttpResponse, HttpServer, Responder, web};
use anyhow::Context;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{BoundCounter, BoundHistogram, Counter, Histogram};
use std::net::{TcpListener, ToSocketAddrs};
use std::sync::LazyLock;
use std::time::Instant;

/// The service a request was served by (`ingest`, `portal`, `provision`); register it with
/// `app_data(web::Data::new(ServiceName("portal")))`.
#[derive(Clone, Copy, Debug)]
pub struct ServiceName(pub &'static str);

struct HttpMetrics {
    requests: Counter<u64>,
    duration: Histogram<f64>,
}

static INSTRUMENTS: LazyLock<HttpMetrics> = LazyLock::new(|| HttpMetrics {
    requests: metrics::counter(
        "lanyard_http_requests",
        "HTTP requests served, by service, route pattern and status",
    ),
    duration: metrics::latency_histogram(
        "lanyard_http_request_duration",
        "Time to answer an HTTP request, by service and route pattern",
    ),
});

/// Middleware (`App::wrap(from_fn(record_requests))`) counting requests and timing them. The
/// route label is the matched pattern (`/portal/{location}`), never the raw path, which may
/// carry tokens and would make labels unbounded.
pub async fn record_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let service = request
        .app_data::<web::Data<ServiceName>>()
        .map(|name| name.0)
        .unwrap_or("unknown");
    let route = Route::of(&request, service);
    let response = next.call(request).await;
    let status = match &response {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    route.record(service, status, started.elapsed().as_secs_f64());
    response
}

/// At most this many static routes' instruments are kept per worker thread (each service has
/// a handful).
const STATIC_ROUTES: usize = 32;

/// At most this many statuses' counters are kept per static route; others are counted
/// through the unbound counter.
const STATUSES_PER_ROUTE: usize = 8;

/// A static route's instruments, bound to its labels: finding a request's pattern walks the
/// routing tree and writes a string, and a measurement with labels hashes them into the SDK's
/// map of series, for every request (docs/performance.md, "Bound metrics, the envelope's
/// escaped brackets, and a middleware of its own").
struct StaticRoute {
    service: &'static str,
    path: String,
    route: KeyValue,
    duration: BoundHistogram<f64>,
    requests: Vec<(u16, BoundCounter<u64>)>,
}

thread_local! {
    /// The static routes (those whose pattern is the path itself, as `/optix/webhooks`) this
    /// thread has served, by service and path. Only a path equal to its own registered pattern
    /// is kept, so what a client sends cannot fill it; entries are never removed, so an index
    /// stays valid.
    static STATIC_ROUTES_SERVED: std::cell::RefCell<Vec<StaticRoute>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A request's route, as its metrics are labelled.
enum Route {
    /// Kept in [`STATIC_ROUTES_SERVED`] at this index.
    Static(usize),
    /// A pattern with parameters (or static past [`STATIC_ROUTES`]), or `unmatched`.
    Label(KeyValue),
}

impl Route {
    fn of(request: &ServiceRequest, service: &'static str) -> Route {
        let path = request.path();
        let known = STATIC_ROUTES_SERVED.with_borrow(|routes| {
            routes
                .iter()
                .position(|route| route.service == service && route.path == path)
        });
        if let Some(at) = known {
            return Route::Static(at);
        }
        let Some(pattern) = request.match_pattern() else {
            return Route::Label(KeyValue::new("route", "unmatched"));
        };
        if pattern != path {
            return Route::Label(KeyValue::new("route", pattern));
        }
        let label = KeyValue::new("route", pattern.clone());
        STATIC_ROUTES_SERVED.with_borrow_mut(|routes| {
            if routes.len() == STATIC_ROUTES {
                return Route::Label(label);
            }
            let metrics = &*INSTRUMENTS;
            routes.push(StaticRoute {
                service,
                path: pattern,
                duration: metrics
                    .duration
                    .bind(&[KeyValue::new("service", service), label.clone()]),
                route: label,
                requests: Vec::new(),
            });
            Route::Static(routes.len() - 1)
        })
    }

    /// Times and counts one request of this route.
    fn record(self, service: &'static str, status: u16, seconds: f64) {
        let metrics = &*INSTRUMENTS;
        let labels = |route: KeyValue| {
            [
                KeyValue::new("service", service),
                route,
                KeyValue::new("status", i64::from(status)),
            ]
        };
        match self {
            Route::Static(at) => STATIC_ROUTES_SERVED.with_borrow_mut(|routes| {
                let route = &mut routes[at];
                route.duration.record(seconds);
                if let Some((_, count)) = route.requests.iter().find(|(s, _)| *s == status) {
                    count.add(1);
                } else if route.requests.len() < STATUSES_PER_ROUTE {
                    let count = metrics.requests.bind(&labels(route.route.clone()));
                    count.add(1);
                    route.requests.push((status, count));
                } else {
                    metrics.requests.add(1, &labels(route.route.clone()));
                }
            }),
            Route::Label(route) => {
                let [service, route, status] = labels(route);
                metrics
                    .duration
                    .record(seconds, &[service.clone(), route.clone()]);
                metrics.requests.add(1, &[service, route, status]);
            }
        }
    }
}

/// The operations routes every service serves on its operations listener, never on a public
/// one: `/metrics` and a bare `/healthz` (each service adds its own `/readyz`).
pub fn ops_routes(config: &mut web::ServiceConfig) {
    config
        .route("/metrics", web::get().to(metrics_endpoint))
        .route("/healthz", web::get().to(healthz));
}

/// Liveness: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

/// `GET /metrics`: the Prometheus text format.
pub async fn metrics_endpoint() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .body(metrics::render())
}

/// Binds `address`, the value of the setting `key` (named in the error).
pub fn bind(address: &str, key: &str) -> anyhow::Result<(TcpListener, u16)> {
    let listener = listen(address).with_context(|| format!("binding {key} {address}"))?;
    let port = listener.local_addr()?.port();
    Ok((listener, port))
}

/// Connections the kernel completes and queues for a listener before it accepts them (capped
/// by `net.core.somaxconn`, 4,096 by default since Linux 5.4). actix-web binds with 2,048 when
/// it binds an address itself; our listeners are bound here (the port must be known before the
/// server starts), and std's 128 would drop a burst's connections past it while the accept
/// thread catches up, for the clients to retry 1 s, then 3 s later.
const LISTEN_BACKLOG: i32 = 4096;

/// `address` (a host or IP and a port) bound and listening with [`LISTEN_BACKLOG`]: the first
/// of its addresses that binds, as `TcpListener::bind` tries them.
fn listen(address: &str) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let mut last_error = None;
    for candidate in address.to_socket_addrs()? {
        let socket = Socket::new(Domain::for_address(candidate), Type::STREAM, None)?;
        // What std does for a listener on Unix: a restarted service rebinds at once.
        socket.set_reuse_address(true)?;
        match socket
            .bind(&candidate.into())
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the address resolves to nothing",
        )
    }))
}

/// A service's operations listener: [`ops_routes`] and the service's own `/readyz` (which
/// reads `state`), on one worker. Metrics and readiness tell things about the service (counts,
/// what is down) that whoever reaches its public listener has no business seeing.
pub fn ops_server<S, F, Args>(
    listener: TcpListener,
    state: web::Data<S>,
    readyz: F,
) -> std::io::Result<actix_web::dev::Server>
where
    S: Send + Sync + 'static,
    F: Handler<Args> + Clone + Send,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(ops_routes)
            .route("/readyz", web::get().to(readyz.clone()))
    })
    .workers(1)
    .shutdown_timeout(5)
    .listen(listener)?
    .run())
}

/// A service's two listeners once built: the public one (`port`) and the operations one
/// (`ops_port`: `/metrics`, `/healthz`, `/readyz`).
pub struct Listeners {
    pub port: u16,
    pub ops_port: u16,
    server: actix_web::dev::Server,
    ops_server: actix_web::dev::Server,
}

impl Listeners {
    pub fn new(
        (port, server): (u16, actix_web::dev::Server),
        (ops_port, ops_server): (u16, actix_web::dev::Server),
    ) -> Listeners {
        Listeners {
            port,
            ops_port,
            server,
            ops_server,
        }
    }

    /// Serves both until SIGTERM or ctrl-c (actix handles the signals), letting the requests
    /// in hand finish.
    pub async fn run(self) -> std::io::Result<()> {
        let (served, ops) = tokio::join!(self.server, self.ops_server);
        served.and(ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A listener that accepts nothing still completes a burst of 300 connections: they wait
    /// in its queue (std's backlog of 128 would drop the rest until the clients retry).
    #[tokio::test]
    async fn a_bound_listener_queues_a_burst_past_std_backlog() -> anyhow::Result<()> {
        let (_listener, port) = bind("127.0.0.1:0", "test.listen")?;
        let connecting: Vec<_> = (0..300)
            .map(|_| {
                tokio::spawn(tokio::time::timeout(
                    Duration::from_secs(2),
                    tokio::net::TcpStream::connect(("127.0.0.1", port)),
                ))
            })
            .collect();
        let mut connected = Vec::new();
        for connection in connecting {
            if let Ok(Ok(stream)) = connection.await? {
                connected.push(stream);
            }
        }
        assert_eq!(connected.len(), 300, "connections queued before any accept");
        Ok(())
    }

    /// Each request is counted under its route's pattern, whether the label was found by
    /// walking the routes or kept from an earlier request to the same static route; a path
    /// that matches no route is `unmatched` and is never kept.
    #[actix_web::test]
    async fn requests_are_counted_by_their_routes_pattern() {
        use actix_web::middleware::from_fn;
        use actix_web::test::{TestRequest, call_service, init_service};
        let app = init_service(
            App::new()
                .app_data(web::Data::new(ServiceName("route-label-test")))
                .wrap(from_fn(record_requests))
                .route("/static/route", web::get().to(healthz))
                .route("/items/{id}", web::get().to(healthz)),
        )
        .await;
        for path in [
            "/static/route",
            "/items/1",
            "/items/2",
            "/nowhere",
            "/static/route",
        ] {
            call_service(&app, TestRequest::get().uri(path).to_request()).await;
        }
        let text = metrics::render();
        let count = |route: &str, status: &str| {
            metrics::sample(
                &text,
                "lanyard_http_requests_total",
                &[
                    ("service", "route-label-test"),
                    ("route", route),
                    ("status", status),
                ],
            )
        };
        assert_eq!(count("/static/route", "200"), Some(2.0));
        assert_eq!(count("/items/{id}", "200"), Some(2.0));
        assert_eq!(count("unmatched", "404"), Some(1.0));
        // Kept: the static route only, once.
        let kept: Vec<String> = STATIC_ROUTES_SERVED
            .with_borrow(|routes| routes.iter().map(|route| route.path.clone()).collect());
        assert_eq!(kept, ["/static/route"]);
    }

    /// A static route answering more statuses than are kept bound for it counts every one
    /// under its own status: those past [`STATUSES_PER_ROUTE`] through the unbound counter.
    #[actix_web::test]
    async fn every_status_of_a_static_route_is_counted_bound_or_not() {
        use actix_web::http::StatusCode;
        use actix_web::middleware::from_fn;
        use actix_web::test::{TestRequest, call_service, init_service};
        async fn answer(query: web::Query<std::collections::HashMap<String, u16>>) -> HttpResponse {
            let code = query.get("code").copied().unwrap_or(200);
            HttpResponse::build(StatusCode::from_u16(code).unwrap_or(StatusCode::OK)).finish()
        }
        let app = init_service(
            App::new()
                .app_data(web::Data::new(ServiceName("status-test")))
                .wrap(from_fn(record_requests))
                .route("/answer", web::get().to(answer)),
        )
        .await;
        let codes: Vec<u16> = (0..STATUSES_PER_ROUTE as u16 + 3)
            .map(|i| 400 + i)
            .collect();
        for code in codes.iter().chain(&codes) {
            let uri = format!("/answer?code={code}");
            call_service(&app, TestRequest::get().uri(&uri).to_request()).await;
        }
        let text = metrics::render();
        for code in &codes {
            let status = code.to_string();
            assert_eq!(
                metrics::sample(
                    &text,
                    "lanyard_http_requests_total",
                    &[
                        ("service", "status-test"),
                        ("route", "/answer"),
                        ("status", &status)
                    ],
                ),
                Some(2.0),
                "status {code}"
            );
        }
        assert_eq!(
            metrics::sample(
                &text,
                "lanyard_http_request_duration_seconds_count",
                &[("service", "status-test"), ("route", "/answer")],
            ),
            Some(2.0 * codes.len() as f64)
        );
    }

    #[test]
    fn an_address_without_a_port_or_already_taken_is_refused_with_its_setting() {
        let refusal = |address: &str| {
            bind(address, "portal.listen")
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default()
        };
        let no_port = refusal("localhost");
        assert!(
            no_port.contains("binding portal.listen localhost"),
            "{no_port}"
        );
        // Reusing the address lets a restarted service rebind; it never lets two listen at once.
        let (_taken, port) = bind("127.0.0.1:0", "test.listen").expect("a free port");
        let in_use = refusal(&format!("127.0.0.1:{port}"));
        assert!(
            in_use.contains(&format!("binding portal.listen 127.0.0.1:{port}"))
                && in_use.contains("in use"),
            "{in_use}"
        );
    }
}
