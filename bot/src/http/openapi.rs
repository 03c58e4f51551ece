//! `GET /api/v1/openapi.json`: the API described from the handlers' own annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    analytics, auth, budgets, categories, identities, ledgers, link_codes, me, messages, recurring,
    summary, transactions,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tally API",
        description = "Personal and group finance: accounts, transactions, summaries, savings analytics, and the same conversation the chat bots speak. Amounts are decimal strings; errors are {\"error\": {\"code\", \"message\", \"field\"}}."
    ),
    paths(
        auth::register,
        auth::login,
        auth::logout,
        auth::logout_all,
        me::get,
        me::patch,
        me::change_password,
        transactions::list,
        transactions::create,
        transactions::get,
        transactions::patch,
        transactions::delete,
        summary::get,
        analytics::savings,
        categories::list,
        categories::create,
        categories::patch,
        budgets::list,
        budgets::put,
        budgets::delete,
        recurring::list,
        recurring::create,
        recurring::patch,
        recurring::delete,
        recurring::skip,
        ledgers::list,
        messages::post,
        link_codes::create,
        identities::list,
        identities::delete,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign up, log in, log out"),
        (name = "account", description = "The caller's account"),
        (name = "transactions", description = "Income and expenses"),
        (name = "analytics", description = "Summaries and savings"),
        (name = "categories"),
        (name = "budgets"),
        (name = "recurring", description = "Scheduled income and expenses"),
        (name = "ledgers"),
        (name = "conversation", description = "Talk to Tally as in a chat"),
        (name = "linking", description = "Join chats to this account"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
