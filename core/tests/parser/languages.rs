//! The parser in Spanish, German, French and Portuguese (`shared/intents/LANGUAGES.md`): every
//! rule of that file with wording of our own (none of it from the public evaluation set).

use chrono::NaiveDate;
use tally_core::domain::{CategoryName, DateOrder, TransactionKind};
use tally_core::money::Currency;
use tally_core::parser::{Intent, Language, LanguageChoice, ParseContext, Parser, Vocabulary};

fn ctx(vocabulary: &Vocabulary, currency: Currency) -> ParseContext<'_> {
    ParseContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        currency,
        // Day-first dates in these languages must not depend on the setting: give the other one.
        date_order: DateOrder::Mdy,
        vocabulary,
    }
}

/// The scored fields of an intent as one line: `add expense 12.5 EUR food 2026-11-24`.
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

fn check_with(cases: &[(&str, &str)], currency: Currency) {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, currency);
    let mut wrong = Vec::new();
    for (text, want) in cases {
        let got = summary(&parser.parse_as(text, &ctx, LanguageChoice::Auto).intent);
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

fn check(cases: &[(&str, &str)]) {
    check_with(cases, Currency::EUR);
}

#[test]
fn number_forms_of_each_locale() {
    check(&[
        (
            "cena con amigos 1.234,56",
            "add expense 1234.56 EUR food 2026-11-24",
        ),
        (
            "Abendessen 1 234,56",
            "add expense 1234.56 EUR food 2026-11-24",
        ),
        (
            "dîner 1\u{a0}234,56",
            "add expense 1234.56 EUR food 2026-11-24",
        ),
        (
            "pagué la hipoteca 1.200",
            "add expense 1200 EUR housing 2026-11-24",
        ),
        ("Kaltmiete 1 200", "add expense 1200 EUR housing 2026-11-24"),
        ("un café 2,5", "add expense 2.5 EUR food 2026-11-24"),
        ("cafezinho 3,75", "add expense 3.75 EUR food 2026-11-24"),
        (
            "Flugticket 12.99",
            "add expense 12.99 EUR travel 2026-11-24",
        ),
        (
            "Ferienwohnung 1'250.50 Franken",
            "add expense 1250.5 CHF travel 2026-11-24",
        ),
        (
            "gasté 3 mil en muebles",
            "add expense 3000 EUR housing 2026-11-24",
        ),
        ("aluguel 2,5 mil", "add expense 2500 EUR housing 2026-11-24"),
        (
            "Möbel für 3 Tsd.",
            "add expense 3000 EUR housing 2026-11-24",
        ),
        ("vacances 2k", "add expense 2000 EUR travel 2026-11-24"),
        (
            "cine doce euros",
            "add expense 12 EUR entertainment 2026-11-24",
        ),
        (
            "Kino zwölf Euro",
            "add expense 12 EUR entertainment 2026-11-24",
        ),
        (
            "cinéma douze euros",
            "add expense 12 EUR entertainment 2026-11-24",
        ),
        (
            "cinema doze euros",
            "add expense 12 EUR entertainment 2026-11-24",
        ),
        (
            "zapatos cien euros",
            "add expense 100 EUR shopping 2026-11-24",
        ),
        (
            "Schuhe hundert Euro",
            "add expense 100 EUR shopping 2026-11-24",
        ),
        (
            "chaussures cent euros",
            "add expense 100 EUR shopping 2026-11-24",
        ),
        (
            "sapatos cem euros",
            "add expense 100 EUR shopping 2026-11-24",
        ),
        (
            "Friseur dreiundvierzig Euro",
            "add expense 43 EUR personal_care 2026-11-24",
        ),
        (
            "coiffeur quatre-vingt-dix euros",
            "add expense 90 EUR personal_care 2026-11-24",
        ),
        (
            "peluquería treinta y cinco euros",
            "add expense 35 EUR personal_care 2026-11-24",
        ),
        (
            "cabeleireiro quarenta e dois reais",
            "add expense 42 BRL personal_care 2026-11-24",
        ),
    ]);
}

#[test]
fn english_keeps_its_own_number_rules() {
    check(&[
        (
            "spent 1.200 on coffee",
            "add expense 1.2 EUR food 2026-11-24",
        ),
        ("lunch 12,50", "add expense 12.5 EUR food 2026-11-24"),
    ]);
}

#[test]
fn currencies_in_each_language() {
    check(&[
        ("cena 20 dólares", "add expense 20 USD food 2026-11-24"),
        ("Abendessen 20 Dollar", "add expense 20 USD food 2026-11-24"),
        ("almoço US$ 15", "add expense 15 USD food 2026-11-24"),
        (
            "cena en londres 30 libras",
            "add expense 30 GBP food 2026-11-24",
        ),
        (
            "Abendessen in London 30 Pfund",
            "add expense 30 GBP food 2026-11-24",
        ),
        (
            "dîner à londres 30 livres",
            "add expense 30 GBP food 2026-11-24",
        ),
        ("jantar 80 reais", "add expense 80 BRL food 2026-11-24"),
        ("jantar R$ 80,50", "add expense 80.5 BRL food 2026-11-24"),
        (
            "Abendessen in Basel 45 Franken",
            "add expense 45 CHF food 2026-11-24",
        ),
        (
            "dîner à lausanne 45 francs suisses",
            "add expense 45 CHF food 2026-11-24",
        ),
        ("Abendessen Fr. 45", "add expense 45 CHF food 2026-11-24"),
        (
            "cena en cancún 300 MXN",
            "add expense 300 MXN food 2026-11-24",
        ),
        ("cena MX$ 300", "add expense 300 MXN food 2026-11-24"),
        ("cena 300 pesos", "add expense 300 MXN food 2026-11-24"),
    ]);
    // `pesos` is the default currency when that is a peso.
    check_with(
        &[("cena 300 pesos", "add expense 300 ARS food 2026-11-24")],
        Currency::parse("ARS").unwrap(),
    );
}

#[test]
fn dates_in_each_language() {
    check(&[
        ("pizza 10 hoy", "add expense 10 EUR food 2026-11-24"),
        ("pizza 10 ayer", "add expense 10 EUR food 2026-11-23"),
        ("Pizza 10 gestern", "add expense 10 EUR food 2026-11-23"),
        ("pizza 10 hier", "add expense 10 EUR food 2026-11-23"),
        ("pizza 10 ontem", "add expense 10 EUR food 2026-11-23"),
        ("cena 10 antier", "add expense 10 EUR food 2026-11-22"),
        (
            "Abendessen 10 vorgestern",
            "add expense 10 EUR food 2026-11-22",
        ),
        ("dîner 10 avant-hier", "add expense 10 EUR food 2026-11-22"),
        ("jantar 10 anteontem", "add expense 10 EUR food 2026-11-22"),
        ("cena 10 hace 2 días", "add expense 10 EUR food 2026-11-22"),
        (
            "Abendessen 10 vor 2 Tagen",
            "add expense 10 EUR food 2026-11-22",
        ),
        (
            "dîner 10 il y a 2 jours",
            "add expense 10 EUR food 2026-11-22",
        ),
        ("jantar 10 há 2 dias", "add expense 10 EUR food 2026-11-22"),
        ("cena 10 el lunes", "add expense 10 EUR food 2026-11-23"),
        (
            "Abendessen 10 am Montag",
            "add expense 10 EUR food 2026-11-23",
        ),
        ("dîner 10 lundi", "add expense 10 EUR food 2026-11-23"),
        ("jantar 10 na segunda", "add expense 10 EUR food 2026-11-23"),
        (
            "cena 10 el viernes pasado",
            "add expense 10 EUR food 2026-11-20",
        ),
        (
            "Abendessen 10 letzten Freitag",
            "add expense 10 EUR food 2026-11-20",
        ),
        (
            "dîner 10 vendredi dernier",
            "add expense 10 EUR food 2026-11-20",
        ),
        (
            "jantar 10 sexta passada",
            "add expense 10 EUR food 2026-11-20",
        ),
        (
            "cena 10 el 3 de noviembre",
            "add expense 10 EUR food 2026-11-03",
        ),
        (
            "Abendessen 10 am 3. November",
            "add expense 10 EUR food 2026-11-03",
        ),
        (
            "dîner 10 le 3 novembre",
            "add expense 10 EUR food 2026-11-03",
        ),
        (
            "jantar 10 em 3 de novembro",
            "add expense 10 EUR food 2026-11-03",
        ),
        ("cena 10 el 5/11", "add expense 10 EUR food 2026-11-05"),
        (
            "Abendessen 10 am 05.11.",
            "add expense 10 EUR food 2026-11-05",
        ),
        (
            "Abendessen 10 am 05.11.2026",
            "add expense 10 EUR food 2026-11-05",
        ),
        // A day and month after today mean last year, written either way.
        ("cena 10 el 5/12", "add expense 10 EUR food 2025-12-05"),
        (
            "jantar 10 em 5 de dezembro",
            "add expense 10 EUR food 2025-12-05",
        ),
    ]);
}

#[test]
fn periods_in_each_language() {
    check(&[
        (
            "cuánto gasté este mes",
            "query spent - 2026-11-01 2026-11-30",
        ),
        (
            "cuánto gasté el mes pasado",
            "query spent - 2026-10-01 2026-10-31",
        ),
        (
            "cuánto gasté esta semana",
            "query spent - 2026-11-23 2026-11-29",
        ),
        (
            "cuánto gasté este año",
            "query spent - 2026-01-01 2026-12-31",
        ),
        (
            "cuánto gasté en los últimos 30 días",
            "query spent - 2026-10-26 2026-11-24",
        ),
        (
            "wie viel habe ich diesen Monat ausgegeben",
            "query spent - 2026-11-01 2026-11-30",
        ),
        (
            "wie viel habe ich letzten Monat ausgegeben",
            "query spent - 2026-10-01 2026-10-31",
        ),
        (
            "wie viel habe ich diese Woche ausgegeben",
            "query spent - 2026-11-23 2026-11-29",
        ),
        (
            "wie viel habe ich dieses Jahr ausgegeben",
            "query spent - 2026-01-01 2026-12-31",
        ),
        (
            "combien j'ai dépensé ce mois-ci",
            "query spent - 2026-11-01 2026-11-30",
        ),
        (
            "combien j'ai dépensé le mois dernier",
            "query spent - 2026-10-01 2026-10-31",
        ),
        (
            "combien j'ai dépensé cette semaine",
            "query spent - 2026-11-23 2026-11-29",
        ),
        (
            "combien j'ai dépensé cette année",
            "query spent - 2026-01-01 2026-12-31",
        ),
        (
            "quanto gastei este mês",
            "query spent - 2026-11-01 2026-11-30",
        ),
        (
            "quanto gastei mês passado",
            "query spent - 2026-10-01 2026-10-31",
        ),
        (
            "quanto gastei esta semana",
            "query spent - 2026-11-23 2026-11-29",
        ),
        (
            "quanto gastei este ano",
            "query spent - 2026-01-01 2026-12-31",
        ),
    ]);
}

#[test]
fn every_intent_in_each_language() {
    check(&[
        ("gasté 9 en la cena", "add expense 9 EUR food 2026-11-24"),
        ("9 € Abendessen", "add expense 9 EUR food 2026-11-24"),
        (
            "j'ai dépensé 9 pour le dîner",
            "add expense 9 EUR food 2026-11-24",
        ),
        ("gastei 9 no jantar", "add expense 9 EUR food 2026-11-24"),
        (
            "cuánto gasté en el súper este mes?",
            "query spent groceries 2026-11-01 2026-11-30",
        ),
        ("resumen del mes pasado", "summary 2026-10-01 2026-10-31"),
        ("Übersicht für diese Woche", "summary 2026-11-23 2026-11-29"),
        (
            "récap de la semaine dernière",
            "summary 2026-11-16 2026-11-22",
        ),
        ("relatório deste mês", "summary 2026-11-01 2026-11-30"),
        ("mis últimos 4 movimientos", "recent 4"),
        ("zeig die letzten 8 Buchungen", "recent 8"),
        ("mes 6 dernières transactions", "recent 6"),
        ("minhas últimas 7 transações", "recent 7"),
        (
            "Budget für Restaurant 200 pro Monat",
            "budget_set food 200 EUR month",
        ),
        ("presupuesto de ropa 80", "budget_set shopping 80 EUR month"),
        (
            "budget essence 60 par semaine",
            "budget_set transport 60 EUR week",
        ),
        (
            "orçamento anual de férias 2 mil",
            "budget_set travel 2000 EUR year",
        ),
        ("deshacer", "undo"),
        ("annuler", "undo"),
        ("rückgängig machen", "undo"),
        ("desfazer", "undo"),
        ("ayuda", "help"),
        ("Hilfe", "help"),
        ("aide", "help"),
        ("ajuda", "help"),
        ("comment économiser plus ?", "advice"),
        ("¿cómo puedo ahorrar más?", "advice"),
        ("wie kann ich mehr sparen?", "advice"),
        ("como posso poupar mais?", "advice"),
    ]);
}

#[test]
fn income_words_in_each_language() {
    check(&[
        (
            "me devolvieron 15 de zara",
            "add income 15 EUR refund 2026-11-24",
        ),
        (
            "Freizeit 40 gestern",
            "add expense 40 EUR entertainment 2026-11-23",
        ),
        (
            "courses chez lidl 31,10",
            "add expense 31.1 EUR groceries 2026-11-24",
        ),
        (
            "cobré 900 de la nómina",
            "add income 900 EUR salary 2026-11-24",
        ),
        (
            "me pagaron 300 por un proyecto",
            "add income 300 EUR freelance 2026-11-24",
        ),
        ("sueldo 2.100", "add income 2100 EUR salary 2026-11-24"),
        ("Gehalt 2.800", "add income 2800 EUR salary 2026-11-24"),
        (
            "Rückerstattung 40 von Amazon",
            "add income 40 EUR refund 2026-11-24",
        ),
        ("salaire 2 300", "add income 2300 EUR salary 2026-11-24"),
        (
            "remboursement 20 de la pharmacie",
            "add income 20 EUR refund 2026-11-24",
        ),
        ("salário 3.000", "add income 3000 EUR salary 2026-11-24"),
        (
            "recebi 50 de reembolso",
            "add income 50 EUR refund 2026-11-24",
        ),
        (
            "reembolso del seguro 70",
            "add income 70 EUR refund 2026-11-24",
        ),
    ]);
}

#[test]
fn everyday_categories_in_each_language() {
    check(&[
        ("supermercado 40", "add expense 40 EUR groceries 2026-11-24"),
        ("Supermarkt 40", "add expense 40 EUR groceries 2026-11-24"),
        ("les courses 40", "add expense 40 EUR groceries 2026-11-24"),
        ("mercado 40", "add expense 40 EUR groceries 2026-11-24"),
        ("almuerzo 11", "add expense 11 EUR food 2026-11-24"),
        ("Mittagessen 11", "add expense 11 EUR food 2026-11-24"),
        ("déjeuner 11", "add expense 11 EUR food 2026-11-24"),
        ("almoço 11", "add expense 11 EUR food 2026-11-24"),
        // Plural and accent-less forms.
        ("medicamentos 15", "add expense 15 EUR health 2026-11-24"),
        ("medicaments 15", "add expense 15 EUR health 2026-11-24"),
        ("Bücher 15", "add expense 15 EUR education 2026-11-24"),
        ("buecher 15", "add expense 15 EUR education 2026-11-24"),
        ("pharmacie 15", "add expense 15 EUR health 2026-11-24"),
        ("farmacia 15", "add expense 15 EUR health 2026-11-24"),
        ("gasolina 50", "add expense 50 EUR transport 2026-11-24"),
        ("Strom 70", "add expense 70 EUR utilities 2026-11-24"),
        ("loyer 900", "add expense 900 EUR housing 2026-11-24"),
        ("veterinário 90", "add expense 90 EUR pets 2026-11-24"),
    ]);
}

#[test]
fn the_language_is_decided_per_message() {
    let parser = Parser::new();
    let auto = LanguageChoice::Auto;
    for (text, lang) in [
        ("spent 12 on lunch yesterday", Language::En),
        ("auto rickshaw 250 rs", Language::En),
        ("almuerzo con los compañeros 12", Language::Es),
        ("Mittagessen mit Kollegen 12", Language::De),
        ("déjeuner avec les collègues 12", Language::Fr),
        ("almoço com os colegas 12", Language::Pt),
        ("paguei a conta de luz", Language::Pt),
        ("pagué la factura de la luz", Language::Es),
    ] {
        assert_eq!(parser.language_of(text, auto), lang, "{text:?}");
    }
    // With nothing to go on, the account's language decides; with evidence, the evidence does.
    let es = LanguageChoice::Prefer(Language::Es);
    assert_eq!(parser.language_of("netflix 13", auto), Language::En);
    assert_eq!(parser.language_of("netflix 13", es), Language::Es);
    assert_eq!(
        parser.language_of("Mittagessen mit Kollegen", es),
        Language::De
    );
    assert_eq!("pt-BR".parse::<Language>(), Ok(Language::Pt));
    assert!("xx".parse::<LanguageChoice>().is_err());
}

#[test]
fn a_preferred_language_reads_its_number_forms() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ctx(&vocabulary, Currency::EUR);
    let read = |choice| summary(&parser.parse_as("netflix 1.200", &ctx, choice).intent);
    assert_eq!(
        read(LanguageChoice::Auto),
        "add expense 1.2 EUR entertainment 2026-11-24"
    );
    assert_eq!(
        read(LanguageChoice::Prefer(Language::De)),
        "add expense 1200 EUR entertainment 2026-11-24"
    );
}

#[test]
fn learned_words_work_in_every_language() {
    let parser = Parser::new();
    let mut vocabulary = Vocabulary::default();
    let coffee_shops = CategoryName::parse("coffee_shops").unwrap();
    // `cafe` is a word every lexicon reads as coffee: the person's own mapping wins over it.
    vocabulary.add_keyword("cafe", coffee_shops.clone(), TransactionKind::Expense);
    vocabulary.add_keyword("tabacaria", coffee_shops.clone(), TransactionKind::Expense);
    let ctx = ctx(&vocabulary, Currency::EUR);
    for text in [
        "cafe 4",
        "gasté 4 en el cafe ayer",
        "4 € im Cafe gestern",
        "j'ai dépensé 4 au cafe hier",
        "gastei 4 no cafe ontem",
        "tabacaria 4 ontem",
    ] {
        let Intent::Add(add) = parser.parse_as(text, &ctx, LanguageChoice::Auto).intent else {
            panic!("{text:?} is not a record");
        };
        assert_eq!(add.category, coffee_shops, "{text:?}");
    }
}
