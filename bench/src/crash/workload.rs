//! What the simulated people write: one expense per update, each with an amount no other has.

// A distinct amount per update is what lets the harness tell, from outside, which ledger entry
// and which reply belong to which update: "spent 10.37 on lunch" is recorded as $10.37 and
// answered with "$10.37" in it, and no other update says 10.37.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use tally_testkit::telegram::FakeUser;

/// One message to deliver.
#[derive(Debug, Clone)]
pub struct Message {
    /// The chat it is written in: a private chat (the sender's id) or a group (negative).
    pub chat: i64,
    /// Index into [`Workload::users`].
    pub from: usize,
    pub text: String,
    /// Cents of USD, distinct across the workload.
    pub amount: i64,
}

impl Message {
    pub fn in_group(&self) -> bool {
        self.chat < 0
    }
}

/// The people, their groups and everything they write, in delivery order.
#[derive(Debug, Clone)]
pub struct Workload {
    pub users: Vec<FakeUser>,
    pub groups: Vec<i64>,
    pub messages: Vec<Message>,
}

/// Share of the messages written in groups (the rest in private chats).
const GROUP_SHARE: f64 = 0.05;
/// Members of each group who write in it.
const GROUP_MEMBERS: usize = 3;
/// The smallest amount, in cents: $10.01.
const FIRST_AMOUNT: i64 = 1001;

/// `n` messages from many private chats (about ten messages each, so Telegram's per-chat limits
/// don't set the pace) and a few groups, amounts shuffled.
pub fn generate(n: usize, rng: &mut StdRng) -> Workload {
    let private = (n / 10).max(30);
    let groups = (n / 200).max(5);
    let users: Vec<FakeUser> = (0..private)
        .map(|i| FakeUser::new(100_000 + i as u64, &format!("Person{i}")))
        .collect();
    let group_ids: Vec<i64> = (0..groups).map(|g| -(500_000 + g as i64)).collect();
    let members: Vec<Vec<usize>> = group_ids
        .iter()
        .map(|_| {
            (0..GROUP_MEMBERS)
                .map(|_| rng.random_range(0..users.len()))
                .collect()
        })
        .collect();
    let mut amounts: Vec<i64> = (0..n as i64).map(|i| FIRST_AMOUNT + i).collect();
    amounts.shuffle(rng);
    let messages = amounts
        .into_iter()
        .map(|amount| {
            let money = format!("{}.{:02}", amount / 100, amount % 100);
            if rng.random_bool(GROUP_SHARE) {
                let g = rng.random_range(0..group_ids.len());
                let from = members[g][rng.random_range(0..GROUP_MEMBERS)];
                Message {
                    chat: group_ids[g],
                    from,
                    text: format!("/spent {money} lunch"),
                    amount,
                }
            } else {
                let from = rng.random_range(0..users.len());
                Message {
                    chat: users[from].private_chat(),
                    from,
                    text: format!("spent {money} on lunch"),
                    amount,
                }
            }
        })
        .collect();
    Workload {
        users,
        groups: group_ids,
        messages,
    }
}

/// The first dollar amount in a reply (`$1,010.37` → 101037), if there is one.
pub fn amount_in(text: &str) -> Option<i64> {
    let at = text.find('$')?;
    let digits: String = text[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
        .filter(|c| *c != ',')
        .collect();
    let digits = digits.trim_end_matches('.');
    let (whole, cents) = match digits.split_once('.') {
        Some((w, c)) if c.len() == 2 => (w, c),
        Some(_) => return None,
        None => (digits, "00"),
    };
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = cents.parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn reads_the_amount_of_a_reply() {
        assert_eq!(
            amount_in("✅ Recorded expense: $12.50 · Food · today — lunch"),
            Some(1250)
        );
        assert_eq!(amount_in("spent $1,010.37."), Some(101_037));
        assert_eq!(amount_in("$7 left"), Some(700));
        assert_eq!(amount_in("no money here"), None);
        assert_eq!(amount_in("$1.5"), None);
    }

    #[test]
    fn amounts_are_distinct_and_written_as_said() {
        let w = generate(500, &mut StdRng::seed_from_u64(7));
        assert_eq!(w.messages.len(), 500);
        let mut amounts: Vec<i64> = w.messages.iter().map(|m| m.amount).collect();
        amounts.sort_unstable();
        amounts.dedup();
        assert_eq!(amounts.len(), 500);
        assert!(w.messages.iter().any(Message::in_group));
        for m in &w.messages {
            let money = format!("{}.{:02}", m.amount / 100, m.amount % 100);
            assert!(m.text.contains(&money), "{}", m.text);
            if !m.in_group() {
                assert_eq!(m.chat, w.users[m.from].private_chat());
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_workload() {
        let a = generate(100, &mut StdRng::seed_from_u64(3));
        let b = generate(100, &mut StdRng::seed_from_u64(3));
        let texts = |w: &Workload| {
            w.messages
                .iter()
                .map(|m| m.text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&a), texts(&b));
    }
}
