//! `GET /api/v1/openapi.json`: the API described from the handlers' own annotations.

use axum::Json;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use super::{
    analytics, auth, budgets, categories, charts, export, identities, import, ledgers, link_codes,
    me, messages, recurring, summary, transactions,
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
        charts::get,
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
        export::get,
        import::post,
        messages::post,
        link_codes::create,
        identities::list,
        identities::delete,
    ),
    modifiers(&BearerAuth, &CommonAnswers),
    tags(
        (name = "auth", description = "Sign up, log in, log out"),
        (name = "account", description = "The caller's account"),
        (name = "transactions", description = "Income and expenses"),
        (name = "analytics", description = "Summaries, savings and charts"),
        (name = "categories"),
        (name = "budgets"),
        (name = "recurring", description = "Scheduled income and expenses"),
        (name = "ledgers"),
        (name = "export", description = "The entries as a file"),
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

/// The answers the shared extractors and layers give, added to every operation they apply to, so
/// the document lists every status an operation really answers without each handler repeating
/// them: 401 where a token is needed; 400, 413, 415 and 422 where a JSON body is read; 400 and
/// 422 where a query string is; 404 where the path has an id or name; 429 where attempts are
/// limited.
struct CommonAnswers;

/// Operations that count attempts and answer 429 with `Retry-After` past their limit.
/// Operations on ledger data: a group's ledger answers 403 while its platform cannot confirm the
/// caller's membership, and for changes to a switched-off group or that need an admin.
const LEDGER_DATA: &[&str] = &[
    "/api/v1/transactions",
    "/api/v1/summary",
    "/api/v1/analytics",
    "/api/v1/categories",
    "/api/v1/budgets",
    "/api/v1/recurring",
    "/api/v1/export",
    "/api/v1/import",
    "/api/v1/charts",
];

const LIMITED: &[&str] = &[
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/v1/me/password",
    "/api/v1/link-codes",
];

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let limited = LIMITED.contains(&path.as_str());
            let ledger_data = LEDGER_DATA.iter().any(|p| path.starts_with(p));
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_common_answers(operation, limited, ledger_data);
            }
        }
    }
}

fn add_common_answers(operation: &mut Operation, limited: bool, ledger_data: bool) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let takes_body = operation.request_body.is_some();
    let params = operation.parameters.as_deref().unwrap_or_default();
    let takes_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_path = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let mut answers: Vec<(&str, &str)> = Vec::new();
    if takes_body || takes_query {
        answers.push((
            "400",
            "Malformed: the body is not JSON, or the query can't be read.",
        ));
        answers.push(("422", "A value is missing or invalid; `field` names it."));
    }
    if takes_body {
        answers.push(("413", "The body is larger than 64 KiB."));
        answers.push(("415", "The body was not sent as application/json."));
    }
    if secured {
        answers.push((
            "401",
            "No token, or one that is expired, revoked or not valid.",
        ));
    }
    if has_path {
        answers.push(("404", "Nothing at this address that the caller may see."));
    }
    if secured && ledger_data {
        answers.push((
            "403",
            "Not allowed: a group admin's action, a switched-off group, or a group whose chat \
             platform could not confirm the caller is still a member (try again shortly).",
        ));
    }
    if limited {
        answers.push((
            "429",
            "Too many attempts; Retry-After says when to try again.",
        ));
    }
    for (status, description) in answers {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(error_answer(description)));
    }
}

fn error_answer(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(
        "application/json".to_owned(),
        Content::new(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody")))),
    );
    response
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
