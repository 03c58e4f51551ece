//! The diesel table definitions, shared by SQLite and PostgreSQL (see `migrations/`).

diesel::table! {
    accounts (id) {
        id -> BigInt,
        username -> Nullable<Text>,
        username_key -> Nullable<Text>,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        display_name -> Text,
        timezone -> Text,
        default_currency -> Text,
        date_order -> Text,
        token_version -> BigInt,
        merged_into -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    identities (id) {
        id -> BigInt,
        platform -> Text,
        platform_user_id -> Text,
        account_id -> BigInt,
        display_name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledgers (id) {
        id -> BigInt,
        kind -> Text,
        owner_account_id -> Nullable<BigInt>,
        platform -> Nullable<Text>,
        chat_id -> Nullable<Text>,
        title -> Text,
        default_currency -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_members (ledger_id, account_id) {
        ledger_id -> BigInt,
        account_id -> BigInt,
        role -> Text,
        display_name -> Text,
        joined_at -> Timestamp,
        left_at -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        ledger_id -> BigInt,
        kind -> Text,
        name -> Text,
        archived -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    keywords (id) {
        id -> BigInt,
        account_id -> BigInt,
        keyword -> Text,
        kind -> Text,
        category -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    transactions (id) {
        id -> BigInt,
        ledger_id -> BigInt,
        author_account_id -> BigInt,
        kind -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        category_id -> BigInt,
        occurred_on -> Date,
        note -> Text,
        source_platform -> Text,
        source_ref -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    budgets (id) {
        id -> BigInt,
        ledger_id -> BigInt,
        category_id -> BigInt,
        amount_minor -> BigInt,
        currency -> Text,
        period -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    budget_alerts (budget_id, period_start, threshold) {
        budget_id -> BigInt,
        period_start -> Date,
        threshold -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    exchange_rates (rate_date, currency) {
        rate_date -> Date,
        currency -> Text,
        per_euro -> Text,
        source -> Text,
        fetched_at -> Timestamp,
    }
}

diesel::table! {
    job_runs (job) {
        job -> Text,
        ran_on -> Nullable<Date>,
        lease_until -> Timestamp,
    }
}

diesel::table! {
    processed_updates (platform, update_id) {
        platform -> Text,
        update_id -> Text,
        processed_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (account_id, key) {
        account_id -> BigInt,
        key -> Text,
        transaction_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (id) {
        id -> BigInt,
        scope -> Text,
        subject -> Text,
        failures -> BigInt,
        version -> BigInt,
        blocked_until -> Timestamp,
        last_attempt_at -> Timestamp,
    }
}

diesel::table! {
    auth_attempts (id) {
        id -> BigInt,
        scope -> Text,
        subject -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    link_codes (id) {
        id -> BigInt,
        code_hash -> Text,
        account_id -> BigInt,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A redeemed link code awaiting the redeeming chat's Confirm.
    pending_links (id) {
        id -> BigInt,
        target_account_id -> BigInt,
        platform -> Text,
        platform_user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    used_tokens (jti) {
        jti -> Text,
        used_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    digests (id) {
        id -> BigInt,
        platform -> Text,
        chat_id -> Text,
        ledger_id -> BigInt,
        account_id -> BigInt,
        frequency -> Text,
        next_due_at -> Timestamp,
        last_sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    llm_turns (id) {
        id -> BigInt,
        account_id -> BigInt,
        chat_key -> Text,
        role -> Text,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    llm_usage (account_id, day) {
        account_id -> BigInt,
        day -> Date,
        tokens -> BigInt,
    }
}

diesel::table! {
    pending_actions (id) {
        id -> BigInt,
        account_id -> BigInt,
        ledger_id -> BigInt,
        payload -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        consumed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    recurring_entries (id) {
        id -> BigInt,
        ledger_id -> BigInt,
        author_account_id -> BigInt,
        kind -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        category_id -> BigInt,
        note -> Text,
        schedule -> Text,
        platform -> Text,
        chat_id -> Text,
        next_index -> BigInt,
        next_on -> Nullable<Date>,
        paused -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        account_id -> BigInt,
        ledger_id -> BigInt,
        platform -> Text,
        chat_id -> Text,
        kind -> Text,
        at_minute -> Integer,
        next_due_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Replies waiting to be sent, written with the effects of the update they answer.
    outbox (id) {
        id -> BigInt,
        platform -> Text,
        chat_id -> Text,
        update_id -> Nullable<Text>,
        payload -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        attempts -> Integer,
        kind -> Text,
        message_ref -> Nullable<Text>,
        parts_sent -> Integer,
        reply_token -> Nullable<Text>,
    }
}

diesel::table! {
    /// Files of outbox rows' messages, as bytes; `part` is the message's index in its row.
    outbox_files (id) {
        id -> BigInt,
        outbox_id -> BigInt,
        part -> Integer,
        bytes -> Binary,
    }
}

diesel::joinable!(identities -> accounts (account_id));
diesel::joinable!(ledger_members -> ledgers (ledger_id));
diesel::joinable!(ledger_members -> accounts (account_id));
diesel::joinable!(categories -> ledgers (ledger_id));
diesel::joinable!(transactions -> ledgers (ledger_id));
diesel::joinable!(transactions -> categories (category_id));
diesel::joinable!(transactions -> accounts (author_account_id));
diesel::joinable!(budgets -> ledgers (ledger_id));
diesel::joinable!(budgets -> categories (category_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    identities,
    ledgers,
    ledger_members,
    categories,
    keywords,
    transactions,
    budgets,
    budget_alerts,
    processed_updates,
    exchange_rates,
    job_runs,
    settings,
    idempotency_keys,
    auth_attempts,
    login_throttle,
    link_codes,
    used_tokens,
    digests,
    llm_turns,
    llm_usage,
    pending_actions,
    pending_links,
    recurring_entries,
    reminders,
);

diesel::table! {
    /// Kept by database triggers on `transactions`; read-only for the application.
    ledger_month_totals (ledger_id, month, kind, currency, category_id, author_account_id) {
        ledger_id -> BigInt,
        month -> Date,
        kind -> Text,
        currency -> Text,
        category_id -> BigInt,
        author_account_id -> BigInt,
        amount_minor -> BigInt,
        tx_count -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(ledger_month_totals, transactions);

diesel::table! {
    /// What a card charged for an entry in another currency (migration 000110).
    transaction_charges (transaction_id) {
        transaction_id -> BigInt,
        amount_minor -> BigInt,
        currency -> Text,
    }
}

diesel::table! {
    /// A shared expense: the entry it divides and who paid it.
    splits (transaction_id) {
        transaction_id -> BigInt,
        ledger_id -> BigInt,
        payer_account_id -> BigInt,
        mode -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One participant's part of a split, in minor units, and the weight it came from.
    split_shares (transaction_id, position) {
        transaction_id -> BigInt,
        position -> Integer,
        account_id -> BigInt,
        weight -> Text,
        share_minor -> BigInt,
    }
}

diesel::table! {
    /// Money paid from one member to another to settle up; never spending.
    settlements (id) {
        id -> BigInt,
        ledger_id -> BigInt,
        author_account_id -> BigInt,
        from_account_id -> BigInt,
        to_account_id -> BigInt,
        amount_minor -> BigInt,
        currency -> Text,
        occurred_on -> Date,
        source_platform -> Text,
        source_ref -> Nullable<Text>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// A group's balances in its own currency (`true`) or per currency (no row).
    ledger_currency_modes (ledger_id) {
        ledger_id -> BigInt,
        convert_balances -> Bool,
    }
}

diesel::joinable!(transaction_charges -> transactions (transaction_id));
diesel::allow_tables_to_appear_in_same_query!(transaction_charges, transactions);

diesel::table! {
    /// A mentioned `@username` not seen yet, and the member it was merged into.
    split_placeholders (id) {
        id -> BigInt,
        ledger_id -> BigInt,
        username_key -> Text,
        account_id -> BigInt,
        merged_into -> Nullable<BigInt>,
        merged_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(splits, split_shares, transactions);
