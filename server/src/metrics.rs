//! `GET /metrics`: Prometheus's text format (OpenMetrics, through the
//! `prometheus-client` crate): requests and their latency by route, module states and
//! step timings, database pool use, chat answers in flight. Only for the addresses
//! `--metrics-from` names or with `--metrics-token`; with neither it is off.

use std::{net::IpAddr, sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::{IntoResponse, Response},
};
use gantry_sdk::{ApiError, ClientAddress};
use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

use crate::{chat::ChatState, db::Db, modules::ModuleRegistry};

/// Where the metrics are served.
pub const PATH: &str = "/metrics";

/// Who may read `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct MetricsAccess {
    /// Client addresses that may (after `--trust-forwarded-for`, as everywhere).
    pub from: Vec<IpAddr>,
    /// A bearer token that may, from anywhere.
    pub token: Option<String>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModuleLabels {
    module: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StepLabels {
    module: String,
    step: String,
}

/// The instance's metrics.
#[derive(Clone, Debug)]
pub struct Metrics(Arc<Families>);

#[derive(Debug)]
struct Families {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    modules: Family<ModuleLabels, Gauge>,
    steps: Family<StepLabels, Gauge<f64, std::sync::atomic::AtomicU64>>,
    pool_size: Gauge,
    pool_idle: Gauge,
    chat_answers: Gauge,
    access: MetricsAccess,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new(MetricsAccess::default())
    }
}

impl Metrics {
    /// Empty metrics, readable as `access` allows.
    pub fn new(access: MetricsAccess) -> Self {
        let mut registry = Registry::with_prefix("gantry");
        let requests = Family::<RouteLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by method, route and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request (to its first byte), by method, route and status",
            latency.clone(),
        );
        let modules = Family::<ModuleLabels, Gauge>::default();
        registry.register(
            "module_state",
            "1 for each module's current state",
            modules.clone(),
        );
        let steps = Family::<StepLabels, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
        registry.register(
            "module_step_seconds",
            "How long each module's discovery, migrations and start-up took",
            steps.clone(),
        );
        let pool_size = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Database connections open",
            pool_size.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Database connections open and idle",
            pool_idle.clone(),
        );
        let chat_answers = Gauge::default();
        registry.register(
            "chat_answers_in_flight",
            "Chat answers being written now",
            chat_answers.clone(),
        );
        Self(Arc::new(Families {
            registry,
            requests,
            latency,
            modules,
            steps,
            pool_size,
            pool_idle,
            chat_answers,
            access,
        }))
    }

    fn allows(&self, headers: &HeaderMap, address: Option<IpAddr>) -> bool {
        let access = &self.0.access;
        let by_token = access.token.as_deref().is_some_and(|token| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|given| {
                    // Compared in constant time: the token is a secret.
                    given.len() == token.len()
                        && given
                            .bytes()
                            .zip(token.bytes())
                            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                            == 0
                })
        });
        by_token || address.is_some_and(|a| access.from.contains(&a))
    }

    /// The text the scrape gets, with the gauges read now.
    fn render(&self, db: &Db, registry: &ModuleRegistry, chat: &ChatState) -> String {
        let f = &self.0;
        f.modules.clear();
        f.steps.clear();
        for status in registry.statuses() {
            let state = format!("{:?}", status.state).to_lowercase();
            f.modules
                .get_or_create(&ModuleLabels {
                    module: status.name.clone(),
                    state,
                })
                .set(1);
            let timings = [
                ("discovery", Some(status.timings.discovery_ms)),
                ("migrations", status.timings.migrations_ms),
                ("startup", status.timings.startup_ms),
            ];
            for (step, ms) in timings {
                if let Some(ms) = ms {
                    f.steps
                        .get_or_create(&StepLabels {
                            module: status.name.clone(),
                            step: step.into(),
                        })
                        .set(ms / 1000.0);
                }
            }
        }
        f.pool_size.set(i64::from(db.pool.size()));
        f.pool_idle
            .set(i64::try_from(db.pool.num_idle()).unwrap_or(i64::MAX));
        f.chat_answers.set(chat.answering.count());
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &f.registry);
        text
    }
}

/// `GET /metrics`.
pub async fn serve_metrics(
    State(metrics): State<Metrics>,
    State(db): State<Db>,
    State(registry): State<Arc<ModuleRegistry>>,
    State(chat): State<ChatState>,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
) -> Response {
    let address = address.and_then(|a| a.parse::<IpAddr>().ok());
    if !metrics.allows(&headers, address) {
        return ApiError::forbidden(
            "metrics are only for the addresses --metrics-from names or with --metrics-token",
        )
        .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(&db, &registry, &chat),
    )
        .into_response()
}

/// Middleware (a route layer, so the route is the matched pattern, not the path):
/// counts and times every request.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let labels = RouteLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    metrics.0.requests.get_or_create(&labels).inc();
    metrics
        .0
        .latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}
