//! Table-driven checks of the parser against every row of the intents SPEC, with invented wording.

use chrono::NaiveDate;
use tally_core::domain::{CategoryName, DateOrder, TransactionKind};
use tally_core::money::Currency;
use tally_core::parser::{AddArgsError, Confidence, Intent, ParseContext, Parser, Vocabulary};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
}

fn ctx(vocabulary: &Vocabulary, order: DateOrder) -> ParseContext<'_> {
    ParseContext {
        today: today(),
        currency: Currency::USD,
        date_order: order,
        vocabulary,
    }
}

/// The scored fields of an intent as one line: `add expense 12.5 USD food 2026-11-24`.
fn summary(intent: &Intent) -> String {
    let v = intent.to_spec_json();
    let s = |k: &str| match v.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => "-".to_owned(),
    };
    let amount = |k: &str| {
        let raw = s(k);
        match raw.parse::<tally_core::money::Decimal>() {
            Ok(d) => d.normalized().to_string(),
            Err(_) => raw,
        }
    };
    match intent {
        Intent::Add(_) => format!(
            "add {} {} {} {} {}",
            s("kind"),
            amount("amount"),
            s("currency"),
            s("category"),
            s("date")
        ),
        Intent::Query(_) => format!(
            "query {} {} {} {}",
            s("metric"),
            s("category"),
            s("from"),
            s("to")
        ),
        Intent::Summary { .. } => format!("summary {} {}", s("from"), s("to")),
        Intent::Recent { .. } => format!("recent {}", s("limit")),
        Intent::BudgetSet(_) => format!(
            "budget_set {} {} {} {}",
            s("category"),
            amount("amount"),
            s("currency"),
            s("period")
        ),
        other => other.name().to_owned(),
    }
}

fn check(cases: &[(&str, &str)], order: DateOrder) {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, order);
    let mut wrong = Vec::new();
    for (text, want) in cases {
        let got = summary(&parser.parse(text, &ctx).intent);
        if got != *want {
            wrong.push(format!("{text:?}\n   want {want}\n   got  {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn amounts_and_currencies() {
    check(
        &[
            ("coffee 4", "add expense 4 USD food 2026-11-24"),
            ("coffee 4.75", "add expense 4.75 USD food 2026-11-24"),
            ("$5 coffee", "add expense 5 USD food 2026-11-24"),
            ("5$ latte", "add expense 5 USD food 2026-11-24"),
            ("sandwich 9 bucks", "add expense 9 USD food 2026-11-24"),
            ("tacos 8 usd", "add expense 8 USD food 2026-11-24"),
            ("burger 11 dollars", "add expense 11 USD food 2026-11-24"),
            ("rent 1,650", "add expense 1650 USD housing 2026-11-24"),
            (
                "new laptop 1,299.99",
                "add expense 1299.99 USD shopping 2026-11-24",
            ),
            (
                "paid 1.5k for rent",
                "add expense 1500 USD housing 2026-11-24",
            ),
            ("tuition 4k", "add expense 4000 USD education 2026-11-24"),
            (
                "5 grand for a used car",
                "add expense 5000 USD transport 2026-11-24",
            ),
            ("lunch 12,50€", "add expense 12.5 EUR food 2026-11-24"),
            ("€12,50 lunch", "add expense 12.5 EUR food 2026-11-24"),
            ("hostel 30 euros", "add expense 30 EUR travel 2026-11-24"),
            (
                "museum 15 eur",
                "add expense 15 EUR entertainment 2026-11-24",
            ),
            ("dinner £45.20", "add expense 45.2 GBP food 2026-11-24"),
            ("45 GBP dinner", "add expense 45 GBP food 2026-11-24"),
            ("tesco 32 quid", "add expense 32 GBP groceries 2026-11-24"),
            (
                "haircut 20 pounds",
                "add expense 20 GBP personal_care 2026-11-24",
            ),
            ("ramen 980 yen", "add expense 980 JPY food 2026-11-24"),
            ("¥3000 dinner", "add expense 3000 JPY food 2026-11-24"),
            (
                "taxi 2,400 jpy",
                "add expense 2400 JPY transport 2026-11-24",
            ),
            ("₹250 samosas", "add expense 250 INR food 2026-11-24"),
            ("Rs.450 for dinner", "add expense 450 INR food 2026-11-24"),
            ("auto 120 rs", "add expense 120 INR transport 2026-11-24"),
            ("INR 300 chai", "add expense 300 INR food 2026-11-24"),
            (
                "medicines 400 rupees",
                "add expense 400 INR health 2026-11-24",
            ),
            ("uber C$23", "add expense 23 CAD transport 2026-11-24"),
            ("CAD 40 uber", "add expense 40 CAD transport 2026-11-24"),
            ("A$12 coffee", "add expense 12 AUD food 2026-11-24"),
            ("AUD 15 lunch", "add expense 15 AUD food 2026-11-24"),
            ("chf 30 lunch", "add expense 30 CHF food 2026-11-24"),
            (
                "R$45,90 no mercado",
                "add expense 45.9 BRL other 2026-11-24",
            ),
            (
                "brl 80 groceries",
                "add expense 80 BRL groceries 2026-11-24",
            ),
            ("taxi 25 reais", "add expense 25 BRL transport 2026-11-24"),
            ("rmb 45 taxi", "add expense 45 CNY transport 2026-11-24"),
            (
                "100 yuan groceries",
                "add expense 100 CNY groceries 2026-11-24",
            ),
            ("noodles 30 cny", "add expense 30 CNY food 2026-11-24"),
            (
                "spent twenty dollars on snacks",
                "add expense 20 USD food 2026-11-24",
            ),
            (
                "thirty five on gas",
                "add expense 35 USD transport 2026-11-24",
            ),
            (
                "twenty-five for pizza",
                "add expense 25 USD food 2026-11-24",
            ),
            (
                "a hundred on groceries",
                "add expense 100 USD groceries 2026-11-24",
            ),
            (
                "spent a thousand on flights",
                "add expense 1000 USD travel 2026-11-24",
            ),
            (
                "paid fifteen for parking",
                "add expense 15 USD transport 2026-11-24",
            ),
            ("3 lattes for 13.50", "add expense 13.5 USD food 2026-11-24"),
            (
                "bought 4 tickets for 80",
                "add expense 80 USD entertainment 2026-11-24",
            ),
            (
                "2 bags of dog food 60",
                "add expense 60 USD pets 2026-11-24",
            ),
            // A word of a lexicon phrase is that phrase, not a currency or a unit (found by the
            // lexicon property: these were 693 BRL and 6.56 USD).
            (
                "693 real estate tax",
                "add expense 693 USD taxes 2026-11-24",
            ),
            (
                "real estate tax 693",
                "add expense 693 USD taxes 2026-11-24",
            ),
            ("656 ct scan", "add expense 656 USD health 2026-11-24"),
            ("gum 50 cents", "add expense 0.5 USD food 2026-11-24"),
            ("gum 50 ct", "add expense 0.5 USD food 2026-11-24"),
        ],
        DateOrder::Mdy,
    );
}

#[test]
fn dates() {
    check(
        &[
            ("lunch 12 today", "add expense 12 USD food 2026-11-24"),
            ("pizza 20 tonight", "add expense 20 USD food 2026-11-24"),
            ("bagel 4 this morning", "add expense 4 USD food 2026-11-24"),
            (
                "snacks 5 earlier today",
                "add expense 5 USD food 2026-11-24",
            ),
            (
                "taxi 18 yesterday",
                "add expense 18 USD transport 2026-11-23",
            ),
            ("drinks 40 last night", "add expense 40 USD food 2026-11-23"),
            (
                "gym 50 yesterday morning",
                "add expense 50 USD health 2026-11-23",
            ),
            (
                "books 30 the day before yesterday",
                "add expense 30 USD education 2026-11-22",
            ),
            (
                "lunch 15 two days ago",
                "add expense 15 USD food 2026-11-22",
            ),
            ("coffee 3 3 days ago", "add expense 3 USD food 2026-11-21"),
            (
                "drinks 40 a couple of days ago",
                "add expense 40 USD food 2026-11-22",
            ),
            (
                "jacket 90 a week ago",
                "add expense 90 USD shopping 2026-11-17",
            ),
            (
                "groceries 50 on monday",
                "add expense 50 USD groceries 2026-11-23",
            ),
            (
                "dentist 120 tuesday",
                "add expense 120 USD health 2026-11-24",
            ),
            (
                "lunch 12 last wednesday",
                "add expense 12 USD food 2026-11-18",
            ),
            (
                "taxi 20 on sunday",
                "add expense 20 USD transport 2026-11-22",
            ),
            (
                "movie 12 on sat",
                "add expense 12 USD entertainment 2026-11-21",
            ),
            (
                "dinner 60 last tuesday",
                "add expense 60 USD food 2026-11-17",
            ),
            (
                "netflix 15.99 on the 1st",
                "add expense 15.99 USD entertainment 2026-11-01",
            ),
            (
                "rent 1500 on the 1st",
                "add expense 1500 USD housing 2026-11-01",
            ),
            (
                "gas 40 on the 30th",
                "add expense 40 USD transport 2026-10-30",
            ),
            (
                "books 40 on oct 30",
                "add expense 40 USD education 2026-10-30",
            ),
            (
                "shoes 80 on november 2nd",
                "add expense 80 USD shopping 2026-11-02",
            ),
            (
                "haircut 25 on 5 nov",
                "add expense 25 USD personal_care 2026-11-05",
            ),
            (
                "hotel 300 on december 28",
                "add expense 300 USD travel 2025-12-28",
            ),
            ("flight 450 jan 15", "add expense 450 USD travel 2026-01-15"),
            (
                "gift 30 on 2026-10-15",
                "add expense 30 USD gifts 2026-10-15",
            ),
            (
                "shoes 80 on 10/31",
                "add expense 80 USD shopping 2026-10-31",
            ),
            ("dinner 60 on 31/10", "add expense 60 USD food 2026-10-31"),
            ("vet 90 on 3/11", "add expense 90 USD pets 2026-03-11"),
            (
                "christmas gifts 200 dec 20",
                "add expense 200 USD gifts 2025-12-20",
            ),
        ],
        DateOrder::Mdy,
    );
    check(
        &[
            ("vet 90 on 3/11", "add expense 90 USD pets 2026-11-03"),
            ("dinner 60 on 31/10", "add expense 60 USD food 2026-10-31"),
            (
                "shoes 80 on 10/31",
                "add expense 80 USD shopping 2026-10-31",
            ),
        ],
        DateOrder::Dmy,
    );
}

#[test]
fn categories_and_kinds() {
    check(
        &[
            (
                "chipotle bowl 13.50",
                "add expense 13.5 USD food 2026-11-24",
            ),
            (
                "beers with the team 60",
                "add expense 60 USD food 2026-11-24",
            ),
            ("costco run 210", "add expense 210 USD groceries 2026-11-24"),
            (
                "vegetables and fruit 23",
                "add expense 23 USD groceries 2026-11-24",
            ),
            ("bus pass 75", "add expense 75 USD transport 2026-11-24"),
            ("new tires 480", "add expense 480 USD transport 2026-11-24"),
            ("gas 45", "add expense 45 USD transport 2026-11-24"),
            ("gas bill 70", "add expense 70 USD utilities 2026-11-24"),
            ("uber eats 30", "add expense 30 USD food 2026-11-24"),
            ("uber 30", "add expense 30 USD transport 2026-11-24"),
            ("parking 10", "add expense 10 USD transport 2026-11-24"),
            ("parking ticket 80", "add expense 80 USD fees 2026-11-24"),
            ("new mattress 600", "add expense 600 USD housing 2026-11-24"),
            ("hoa fees 300", "add expense 300 USD housing 2026-11-24"),
            ("comcast 80", "add expense 80 USD utilities 2026-11-24"),
            (
                "water and sewer 45",
                "add expense 45 USD utilities 2026-11-24",
            ),
            ("nike shoes 120", "add expense 120 USD shopping 2026-11-24"),
            ("airpods 179", "add expense 179 USD shopping 2026-11-24"),
            (
                "disney plus 8",
                "add expense 8 USD entertainment 2026-11-24",
            ),
            (
                "escape room 100",
                "add expense 100 USD entertainment 2026-11-24",
            ),
            ("vitamins 25", "add expense 25 USD health 2026-11-24"),
            ("yoga class 20", "add expense 20 USD health 2026-11-24"),
            ("rental car 200", "add expense 200 USD travel 2026-11-24"),
            (
                "airbnb in lisbon 600",
                "add expense 600 USD travel 2026-11-24",
            ),
            ("kindle book 10", "add expense 10 USD education 2026-11-24"),
            (
                "spanish lessons 60",
                "add expense 60 USD education 2026-11-24",
            ),
            ("nails 35", "add expense 35 USD personal_care 2026-11-24"),
            ("shampoo 8", "add expense 8 USD personal_care 2026-11-24"),
            ("flowers for mom 40", "add expense 40 USD gifts 2026-11-24"),
            (
                "donated 50 to red cross",
                "add expense 50 USD gifts 2026-11-24",
            ),
            ("dog walker 100", "add expense 100 USD pets 2026-11-24"),
            ("petco 30", "add expense 30 USD pets 2026-11-24"),
            ("nanny 500", "add expense 500 USD kids 2026-11-24"),
            ("baby formula 35", "add expense 35 USD kids 2026-11-24"),
            (
                "life insurance premium 80",
                "add expense 80 USD insurance 2026-11-24",
            ),
            ("geico 120", "add expense 120 USD insurance 2026-11-24"),
            (
                "property taxes 3000",
                "add expense 3000 USD taxes 2026-11-24",
            ),
            ("income tax 2000", "add expense 2000 USD taxes 2026-11-24"),
            ("late payment fee 35", "add expense 35 USD fees 2026-11-24"),
            ("speeding ticket 200", "add expense 200 USD fees 2026-11-24"),
            ("spent 40", "add expense 40 USD other 2026-11-24"),
            ("resturant 55", "add expense 55 USD food 2026-11-24"),
            ("grocreies 40", "add expense 40 USD groceries 2026-11-24"),
            ("electricty 90", "add expense 90 USD utilities 2026-11-24"),
            ("got paid 3000", "add income 3000 USD salary 2026-11-24"),
            (
                "salary 5000 came in",
                "add income 5000 USD salary 2026-11-24",
            ),
            (
                "freelance payment 400",
                "add income 400 USD freelance 2026-11-24",
            ),
            (
                "client paid 1200",
                "add income 1200 USD freelance 2026-11-24",
            ),
            (
                "sold my couch for 150",
                "add income 150 USD other 2026-11-24",
            ),
            (
                "refund from amazon 25",
                "add income 25 USD refund 2026-11-24",
            ),
            ("interest 4.20", "add income 4.2 USD investment 2026-11-24"),
            (
                "bitcoin gains 500",
                "add income 500 USD investment 2026-11-24",
            ),
            (
                "won 100 in the lottery",
                "add income 100 USD other 2026-11-24",
            ),
            (
                "dad sent me 100 for christmas",
                "add income 100 USD gift 2026-11-24",
            ),
            ("birthday money 40", "add income 40 USD gift 2026-11-24"),
            ("cashback 5", "add income 5 USD refund 2026-11-24"),
        ],
        DateOrder::Mdy,
    );
}

#[test]
fn queries_and_periods() {
    check(
        &[
            (
                "how much did i spend yesterday",
                "query spent - 2026-11-23 2026-11-23",
            ),
            (
                "how much did i spend today?",
                "query spent - 2026-11-24 2026-11-24",
            ),
            (
                "what did I spend on transport this week?",
                "query spent transport 2026-11-23 2026-11-29",
            ),
            (
                "what did I spend on transport last week?",
                "query spent transport 2026-11-16 2026-11-22",
            ),
            (
                "how much have I spent on coffee this month",
                "query spent food 2026-11-01 2026-11-30",
            ),
            (
                "groceries so far this month?",
                "query spent groceries 2026-11-01 2026-11-30",
            ),
            (
                "how much on groceries in november",
                "query spent groceries 2026-11-01 2026-11-30",
            ),
            (
                "how much on groceries in october",
                "query spent groceries 2026-10-01 2026-10-31",
            ),
            (
                "expenses for last month",
                "query spent - 2026-10-01 2026-10-31",
            ),
            (
                "how much did I spend in may",
                "query spent - 2026-05-01 2026-05-31",
            ),
            (
                "how much did I spend in december",
                "query spent - 2025-12-01 2025-12-31",
            ),
            (
                "spending on entertainment this quarter",
                "query spent entertainment 2026-10-01 2026-12-31",
            ),
            (
                "what did I spend on amazon last quarter",
                "query spent shopping 2026-07-01 2026-09-30",
            ),
            (
                "how much did I earn this year",
                "query earned - 2026-01-01 2026-12-31",
            ),
            (
                "how much did i spend on rent last year",
                "query spent housing 2025-01-01 2025-12-31",
            ),
            (
                "total spent on food in 2025",
                "query spent food 2025-01-01 2025-12-31",
            ),
            (
                "food spending last 7 days",
                "query spent food 2026-11-18 2026-11-24",
            ),
            (
                "how much did i spend in the past week",
                "query spent - 2026-11-18 2026-11-24",
            ),
            (
                "food spending last 30 days",
                "query spent food 2026-10-26 2026-11-24",
            ),
            (
                "how much did i get paid in september",
                "query earned - 2026-09-01 2026-09-30",
            ),
            (
                "how much have we saved this year",
                "query net - 2026-01-01 2026-12-31",
            ),
            ("balance?", "query net - 2026-11-01 2026-11-30"),
            (
                "how much did I make from dividends this year",
                "query earned investment 2026-01-01 2026-12-31",
            ),
            (
                "how much did I spend on coffee since october",
                "query spent food 2026-10-01 2026-11-24",
            ),
            (
                "how much did I spend on the dog last month",
                "query spent pets 2026-10-01 2026-10-31",
            ),
        ],
        DateOrder::Mdy,
    );
}

#[test]
fn other_intents() {
    check(
        &[
            ("show me a summary", "summary 2026-11-01 2026-11-30"),
            ("weekly summary", "summary 2026-11-23 2026-11-29"),
            (
                "give me a breakdown of last month",
                "summary 2026-10-01 2026-10-31",
            ),
            ("stats for october", "summary 2026-10-01 2026-10-31"),
            ("report 2025", "summary 2025-01-01 2025-12-31"),
            (
                "overview for the past week",
                "summary 2026-11-18 2026-11-24",
            ),
            ("show my last 10 transactions", "recent 10"),
            ("last 3 expenses", "recent 3"),
            ("my recent purchases", "recent -"),
            ("history please", "recent -"),
            ("list my last five entries", "recent 5"),
            (
                "set a budget of 500 for groceries",
                "budget_set groceries 500 USD month",
            ),
            (
                "budget 50 weekly for entertainment",
                "budget_set entertainment 50 USD week",
            ),
            (
                "set a 1000 budget for travel this year",
                "budget_set travel 1000 USD year",
            ),
            (
                "limit my food spending to 400 a month",
                "budget_set food 400 USD month",
            ),
            (
                "dining out budget £200 a month",
                "budget_set food 200 GBP month",
            ),
            ("how's my budget looking", "budget_show"),
            ("am i within budget this month", "budget_show"),
            ("undo that", "undo"),
            ("delete last entry", "undo"),
            ("oops wrong one, delete it", "undo"),
            ("how do i save money", "advice"),
            ("i need to cut back on eating out", "advice"),
            ("should i spend less on coffee", "advice"),
            ("help", "help"),
            ("hey", "help"),
            ("how do I use this bot", "help"),
            ("what time is it", "unknown"),
            ("who is the president", "unknown"),
            ("lol", "unknown"),
            ("", "unknown"),
            ("😂😂😂", "unknown"),
        ],
        DateOrder::Mdy,
    );
}

#[test]
fn more_phrasings() {
    check(
        &[
            (
                "I paid $30 for a haircut",
                "add expense 30 USD personal_care 2026-11-24",
            ),
            (
                "Just spent 25 bucks on lunch",
                "add expense 25 USD food 2026-11-24",
            ),
            (
                "dropped 60 at the bar",
                "add expense 60 USD food 2026-11-24",
            ),
            (
                "took an uber home 18",
                "add expense 18 USD transport 2026-11-24",
            ),
            (
                "Paid my phone bill, 45",
                "add expense 45 USD utilities 2026-11-24",
            ),
            (
                "paid the electric bill 120 yesterday",
                "add expense 120 USD utilities 2026-11-23",
            ),
            (
                "car insurance payment 98.50",
                "add expense 98.5 USD insurance 2026-11-24",
            ),
            (
                "spent 15 on lunch on 11/20",
                "add expense 15 USD food 2026-11-20",
            ),
            (
                "movie tickets for two 28",
                "add expense 28 USD entertainment 2026-11-24",
            ),
            (
                "pizza night 35 friday",
                "add expense 35 USD food 2026-11-20",
            ),
            ("2 pizzas 30", "add expense 30 USD food 2026-11-24"),
            ("gas: 50", "add expense 50 USD transport 2026-11-24"),
            ("Lunch - $12", "add expense 12 USD food 2026-11-24"),
            (
                "coffee @ starbucks 5.25",
                "add expense 5.25 USD food 2026-11-24",
            ),
            (
                "mortgage 2,150.00",
                "add expense 2150 USD housing 2026-11-24",
            ),
            ("booking.com 300", "add expense 300 USD travel 2026-11-24"),
            ("spent .50 on gum", "add expense 0.5 USD food 2026-11-24"),
            (
                "spent 99c on a song",
                "add expense 0.99 USD entertainment 2026-11-24",
            ),
            (
                "UBER 15.60 LAST FRIDAY",
                "add expense 15.6 USD transport 2026-11-20",
            ),
            (
                "Spent 1,234.56 on a new TV!!!",
                "add expense 1234.56 USD shopping 2026-11-24",
            ),
            ("12 € lunch", "add expense 12 EUR food 2026-11-24"),
            ("GBP45 dinner", "add expense 45 GBP food 2026-11-24"),
            (
                "transportation 30",
                "add expense 30 USD transport 2026-11-24",
            ),
            (
                "earned 500 from tutoring",
                "add income 500 USD freelance 2026-11-24",
            ),
            (
                "side gig paid 200",
                "add income 200 USD freelance 2026-11-24",
            ),
            (
                "got 50 bucks from grandma for my birthday",
                "add income 50 USD gift 2026-11-24",
            ),
            (
                "my boss reimbursed me 60 for travel",
                "add income 60 USD refund 2026-11-24",
            ),
            ("tax refund 1,250", "add income 1250 USD refund 2026-11-24"),
            (
                "refund for a returned jacket 45",
                "add income 45 USD refund 2026-11-24",
            ),
            ("commission 300", "add income 300 USD salary 2026-11-24"),
            (
                "how much did I spend on transportation last month",
                "query spent transport 2026-10-01 2026-10-31",
            ),
            (
                "refunds this year?",
                "query earned refund 2026-01-01 2026-12-31",
            ),
            (
                "how much money did I spend last weekend",
                "query spent - 2026-11-21 2026-11-22",
            ),
            (
                "how much went to rent in 2025",
                "query spent housing 2025-01-01 2025-12-31",
            ),
            (
                "show me where my money went this month",
                "summary 2026-11-01 2026-11-30",
            ),
            ("what was my last expense", "recent -"),
            (
                "set a $300 monthly food budget",
                "budget_set food 300 USD month",
            ),
            (
                "budget for restaurants: 250/mo",
                "budget_set food 250 USD month",
            ),
            (
                "$2000 yearly travel budget",
                "budget_set travel 2000 USD year",
            ),
            ("how much budget do I have left", "budget_show"),
            ("what should I cut back on", "advice"),
            ("what can I do here", "help"),
            ("start", "help"),
            ("i'm 25", "unknown"),
            ("my kid is 7", "unknown"),
            ("we won 3-1", "unknown"),
            ("that's 2 of us", "unknown"),
            ("the meeting is on the 3rd", "unknown"),
            ("good night", "unknown"),
        ],
        DateOrder::Mdy,
    );
}

#[test]
fn chatter_with_numbers_is_not_confident_in_groups() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, DateOrder::Mdy);
    for text in [
        "I'll be there at 5",
        "we have 3 kids",
        "room 101",
        "meet me at 7:30",
        "call me at 5551234567",
        "see you in 10 minutes",
        "the game starts at 8pm",
        "she is 30 years old",
        "we're 4 people",
        "got 2 tickets",
        "is 5 too much for a coffee?",
    ] {
        let p = parser.parse(text, &ctx);
        assert!(
            p.confidence < Confidence::GROUP_CHATTER || p.intent == Intent::Unknown,
            "{text:?} acted on in a group: {:?} at {}",
            p.intent,
            p.confidence.percent()
        );
    }
    for text in [
        "spent 12 on pizza",
        "uber 23.40",
        "coffee 4",
        "paid $45 for groceries",
    ] {
        let p = parser.parse(text, &ctx);
        assert!(
            p.confidence >= Confidence::GROUP_CHATTER,
            "{text:?} should be clear: {}",
            p.confidence.percent()
        );
    }
    let p = parser.parse("spent 20", &ctx);
    assert!(p.confidence.is_confident() && p.confidence < Confidence::GROUP_CHATTER);
}

#[test]
fn slash_command_arguments() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, DateOrder::Mdy);
    let add = |args: &str, kind| parser.parse_add_args(args, kind, &ctx);
    let line = |args: &str, kind| match add(args, kind) {
        Ok(a) => summary(&Intent::Add(a)),
        Err(e) => format!("error {e}"),
    };
    use TransactionKind::{Expense, Income};
    assert_eq!(
        line("12.50 lunch yesterday", Expense),
        "add expense 12.5 USD food 2026-11-23"
    );
    assert_eq!(
        line("2500 salary", Income),
        "add income 2500 USD salary 2026-11-24"
    );
    assert_eq!(
        line("lunch 12", Expense),
        "add expense 12 USD food 2026-11-24"
    );
    assert_eq!(
        line("12 groceries from the corner cafe", Expense),
        "add expense 12 USD groceries 2026-11-24"
    );
    assert_eq!(
        line("40 refund for shoes", Income),
        "add income 40 USD refund 2026-11-24"
    );
    assert_eq!(
        line("300 freelance", Income),
        "add income 300 USD freelance 2026-11-24"
    );
    assert_eq!(
        line("€20 gift", Income),
        "add income 20 EUR gift 2026-11-24"
    );
    // A category named right after the amount is the category, not part of the note.
    let note = |args: &str, kind| add(args, kind).map(|a| a.note).unwrap_or_default();
    assert_eq!(note("12 food lunch", Expense), "lunch");
    assert_eq!(note("2500 salary", Income), "");
    assert_eq!(note("30 transport taxi home", Expense), "taxi home");
    assert_eq!(note("12.50 lunch yesterday", Expense), "lunch");
    assert_eq!(add("lunch", Expense), Err(AddArgsError::MissingAmount));
    assert_eq!(add("", Expense), Err(AddArgsError::MissingAmount));
    match add("1,2,3 lunch", Expense) {
        Err(AddArgsError::BadAmount(msg)) => assert!(msg.contains("/spent"), "{msg}"),
        other => panic!("expected a bad amount, got {other:?}"),
    }
    match add("0 salary", Income) {
        Err(AddArgsError::BadAmount(msg)) => assert!(msg.contains("/earned"), "{msg}"),
        other => panic!("expected a bad amount, got {other:?}"),
    }
    assert!(
        AddArgsError::MissingAmount
            .to_string()
            .contains("/spent 12.50")
    );
}

#[test]
fn period_arguments() {
    let parser = Parser::new();
    let p = |s: &str| {
        parser
            .parse_period(s, today())
            .map(|r| format!("{} {}", r.from, r.to))
    };
    assert_eq!(p("this-month").as_deref(), Some("2026-11-01 2026-11-30"));
    assert_eq!(p("last-month").as_deref(), Some("2026-10-01 2026-10-31"));
    assert_eq!(p("this-year").as_deref(), Some("2026-01-01 2026-12-31"));
    assert_eq!(p("last_year").as_deref(), Some("2025-01-01 2025-12-31"));
    assert_eq!(p("this-week").as_deref(), Some("2026-11-23 2026-11-29"));
    assert_eq!(p("last week").as_deref(), Some("2026-11-16 2026-11-22"));
    assert_eq!(p("october").as_deref(), Some("2026-10-01 2026-10-31"));
    assert_eq!(p("Oct").as_deref(), Some("2026-10-01 2026-10-31"));
    assert_eq!(p("may").as_deref(), Some("2026-05-01 2026-05-31"));
    assert_eq!(p("december").as_deref(), Some("2025-12-01 2025-12-31"));
    assert_eq!(p("2025").as_deref(), Some("2025-01-01 2025-12-31"));
    assert_eq!(p("last 30 days").as_deref(), Some("2026-10-26 2026-11-24"));
    assert_eq!(p("last-7-days").as_deref(), Some("2026-11-18 2026-11-24"));
    assert_eq!(p("this quarter").as_deref(), Some("2026-10-01 2026-12-31"));
    assert_eq!(p("last quarter").as_deref(), Some("2026-07-01 2026-09-30"));
    assert_eq!(p("q1").as_deref(), Some("2026-01-01 2026-03-31"));
    assert_eq!(p("today").as_deref(), Some("2026-11-24 2026-11-24"));
    assert_eq!(p("yesterday").as_deref(), Some("2026-11-23 2026-11-23"));
    assert_eq!(p("ytd").as_deref(), Some("2026-01-01 2026-12-31"));
    assert_eq!(p("october 2025").as_deref(), Some("2025-10-01 2025-10-31"));
    assert_eq!(p("bananas"), None);
    assert_eq!(p(""), None);
}

#[test]
fn suggestions() {
    let parser = Parser::new();
    let names = |note: &str, kind, n| -> Vec<String> {
        parser
            .suggest_categories(note, kind, n)
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect()
    };
    use TransactionKind::{Expense, Income};
    assert_eq!(names("starbuckz", Expense, 1), ["food"]);
    assert_eq!(names("petsmrt run", Expense, 1), ["pets"]);
    assert_eq!(names("zzqx", Expense, 3), ["food", "groceries", "shopping"]);
    assert_eq!(names("zzqx", Income, 3), ["salary", "freelance", "refund"]);
    assert_eq!(names("dinner", Expense, 2), ["food", "groceries"]);
    for (note, kind) in [
        ("", Expense),
        ("misc", Expense),
        ("stuff", Income),
        ("uber eats", Expense),
    ] {
        let got = names(note, kind, 6);
        assert_eq!(got.len(), 6, "{note}");
        assert_ne!(got.first().map(String::as_str), Some("other"), "{note}");
        let mut dedup = got.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), got.len(), "duplicates for {note}: {got:?}");
    }
    assert!(names("anything", Expense, 0).is_empty());
}

#[test]
fn learned_words_round_trip() {
    let parser = Parser::new();
    let words = parser.learnable_words("Blue Bottle latte, $5 yesterday");
    assert_eq!(words, ["blue", "bottle", "latte"]);
    let coffee_shops =
        CategoryName::parse("coffee shops").unwrap_or_else(|_| CategoryName::other());
    let mut vocabulary = Vocabulary::default();
    vocabulary.add_category(coffee_shops.clone(), TransactionKind::Expense);
    vocabulary.add_keyword(&words[0], coffee_shops.clone(), TransactionKind::Expense);
    let ctx = ctx(&vocabulary, DateOrder::Mdy);
    let category = |text: &str| match parser.parse(text, &ctx).intent {
        Intent::Add(a) => a.category.as_str().to_owned(),
        other => format!("not an add: {other:?}"),
    };
    assert_eq!(category("blue bottle 5"), "coffee_shops");
    // The user's words beat the built-in lexicon, and a custom category's own name matches.
    assert_eq!(category("latte at blue bottle 6"), "coffee_shops");
    assert_eq!(category("coffee shops 7"), "coffee_shops");
    assert_eq!(category("latte 5"), "food");
    assert!(
        parser
            .learnable_words("spent 12 dollars on the 3rd")
            .is_empty()
    );
}

#[test]
fn questions_about_money_not_spent_record_nothing() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, DateOrder::Mdy);
    for text in [
        "can I afford a 900 dollar laptop this month?",
        "could we afford a 2000 holiday in march",
        "should I buy the 500 tv",
        "is it worth it to pay 300 for a gym membership",
        "what if I spend 50 on a new jacket",
        "will I have 200 left for groceries?",
    ] {
        let p = parser.parse(text, &ctx);
        let recorded = matches!(p.intent, Intent::Add(_)) && p.confidence.is_confident();
        assert!(!recorded, "{text:?} must not be recorded outright: {:?}", p);
    }
    // A can of something is still a purchase.
    let p = parser.parse("can of soda 1.50", &ctx);
    assert!(matches!(p.intent, Intent::Add(_)), "{p:?}");
}

#[test]
fn hedged_records_are_confirmed_rather_than_recorded() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, DateOrder::Mdy);
    for text in [
        "hmm that thing for the car, forty, last tuesday",
        "dunno, maybe 30 on snacks",
    ] {
        let p = parser.parse(text, &ctx);
        assert!(!p.confidence.is_confident(), "{text:?}: {p:?}");
    }
    let p = parser.parse("spent around 50 on groceries", &ctx);
    assert!(p.confidence.is_confident(), "{p:?}");
}
