//! Every message the bot sent, and which update each answers: missing and doubled replies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tally_testkit::telegram::Call;
use tokio::sync::{mpsc, watch};

use super::workload::{Message, amount_in};

/// One message the fake Bot API accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    pub chat: i64,
    pub text: String,
    pub at: Instant,
}

/// The messages sent so far; `count` changes with every one.
#[derive(Clone)]
pub struct Replies {
    sent: Arc<Mutex<Vec<Sent>>>,
    count: watch::Receiver<usize>,
}

impl Replies {
    /// Collects the accepted `sendMessage` calls from the fake's tap.
    pub fn collect(mut tap: mpsc::UnboundedReceiver<Call>) -> Replies {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let (tx, count) = watch::channel(0);
        let store = Arc::clone(&sent);
        tokio::spawn(async move {
            while let Some(call) = tap.recv().await {
                if call.method != "sendMessage" || call.status != 200 {
                    continue;
                }
                let Some(chat) = call.body["chat_id"].as_i64() else {
                    continue;
                };
                let text = call.body["text"].as_str().unwrap_or_default().to_owned();
                let mut all = store.lock().unwrap_or_else(|p| p.into_inner());
                all.push(Sent {
                    chat,
                    text,
                    at: call.at,
                });
                let n = all.len();
                drop(all);
                tx.send_replace(n);
            }
        });
        Replies { sent, count }
    }

    pub fn count(&self) -> usize {
        *self.count.borrow()
    }

    /// Waits until at least `n` messages were sent; `false` when the deadline came first.
    pub async fn wait_for(&mut self, n: usize, deadline: tokio::time::Instant) -> bool {
        tokio::time::timeout_at(deadline, self.count.wait_for(|c| *c >= n))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    pub fn snapshot(&self) -> Vec<Sent> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// How the replies compare with the updates.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReplyCount {
    /// Updates nobody answered.
    pub missing: usize,
    /// Copies beyond the first, each sent by a later life of the bot than another copy: a crash
    /// between a send and its mark, which only a second send can repair.
    pub doubled: usize,
    /// Copies beyond the first sent within one life (of every instance): no crash explains them.
    pub doubled_without_crash: usize,
    /// Messages that answer no update (a greeting, an error): counted, not judged.
    pub other: usize,
}

/// Matches replies to updates by chat and amount. `lives` are the moments instances were
/// started, oldest first: a reply belongs to the life that began last before it was accepted.
pub fn count(messages: &[Message], sent: &[Sent], lives: &[Instant]) -> ReplyCount {
    let index: HashMap<(i64, i64), usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| ((m.chat, m.amount), i))
        .collect();
    let mut copies: Vec<Vec<usize>> = vec![Vec::new(); messages.len()];
    let mut out = ReplyCount::default();
    for s in sent {
        match amount_in(&s.text).and_then(|a| index.get(&(s.chat, a))) {
            Some(&i) => copies[i].push(lives.partition_point(|l| *l <= s.at)),
            None => out.other += 1,
        }
    }
    for mut c in copies {
        if c.is_empty() {
            out.missing += 1;
            continue;
        }
        let total = c.len();
        c.sort_unstable();
        c.dedup();
        out.doubled += c.len() - 1;
        out.doubled_without_crash += total - c.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn message(chat: i64, amount: i64) -> Message {
        Message {
            chat,
            from: 0,
            text: String::new(),
            amount,
        }
    }

    #[test]
    fn tells_missing_doubled_and_unexplained_replies() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let lives = [at(0), at(100)];
        let messages = [message(1, 1001), message(1, 1002), message(-5, 1003)];
        let sent = |chat, text: &str, ms| Sent {
            chat,
            text: text.into(),
            at: at(ms),
        };
        let replies = [
            sent(1, "✅ Recorded expense: $10.01", 10),
            // Sent before the kill and again after the restart.
            sent(-5, "✅ Recorded expense: $10.03", 50),
            sent(-5, "✅ Recorded expense: $10.03", 150),
            // Twice in one life.
            sent(1, "✅ Recorded expense: $10.01", 160),
            sent(1, "Welcome!", 5),
            // The right amount in the wrong chat answers nothing.
            sent(2, "✅ Recorded expense: $10.02", 20),
        ];
        assert_eq!(
            count(&messages, &replies, &lives),
            ReplyCount {
                missing: 1,
                doubled: 2,
                doubled_without_crash: 0,
                other: 2,
            }
        );
        let same_life = [
            sent(1, "$10.01", 110),
            sent(1, "$10.01", 120),
            sent(1, "$10.02", 130),
            sent(-5, "$10.03", 140),
        ];
        let c = count(&messages, &same_life, &lives);
        assert_eq!((c.missing, c.doubled, c.doubled_without_crash), (0, 0, 1));
    }
}
