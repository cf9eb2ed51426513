//! The yardstick for `bench/get-ratio.sh`: a bare axum handler that answers
//! every GET with a contact-sized JSON body, serialised per request, on the
//! same runtime settings as the reference server. Nothing else: no token,
//! no database. Prints its address, then serves until killed.

use axum::Router;
use axum::routing::get;
use serde_json::json;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let body = json!({
        "id": "per_01KB5Q3W6J9Y7ZP3M2X4C8V0NT", "tenant_id": "bench", "created_at": "2026-11-29T21:00:00.000000Z",
        "updated_at": "2026-11-29T21:00:00.000000Z", "created_by": "bench", "updated_by": "bench",
        "source": "edm", "source_type": "api", "is_deleted": false, "schema_version": 1,
        "first_name": "Bench", "last_name": "Mark", "display_name": "Bench Mark",
        "email": "bench@example.com", "version": 1
    });
    let app = Router::new().route(
        "/{*path}",
        get(move || {
            let body = body.clone();
            async move { axum::Json(body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "127.0.0.1:0".into()),
    )
    .await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
