//! The console adapter (`tally chat`): a terminal or a pipe, talking to the core as one local user.

mod render;

use std::io::{BufRead, Write};

use anyhow::Context;
use tally_core::Tally;
use tally_core::conversation::{Action, Chat, Content, Incoming, Reply, Sender};
use tally_core::domain::{ChatKind, Platform};

pub use render::render;

/// One console user's session: maps lines to incoming messages and remembers the last buttons,
/// so `#1` presses the first of them.
pub struct Console {
    tally: Tally,
    user: String,
    session: String,
    counter: u64,
    buttons: Vec<Action>,
}

impl Console {
    pub fn new(tally: Tally, user: &str) -> Console {
        Console {
            tally,
            user: user.to_owned(),
            session: format!("{:016x}", rand::random::<u64>()),
            counter: 0,
            buttons: Vec::new(),
        }
    }

    /// Records the console's due recurring entries and returns what this user should hear of
    /// them (their buttons become `#N`). `tally chat` runs it at start and before every line,
    /// with `--today` as the clock when given.
    pub async fn post_due(&mut self) -> anyhow::Result<Option<Reply>> {
        let mut announcements = self.tally.post_recurring(&[Platform::Console]).await?;
        announcements.extend(self.tally.due_reminders(&[Platform::Console]).await?);
        let mine: Vec<_> = announcements
            .into_iter()
            .filter(|a| a.chat_id == self.user)
            .collect();
        // Printed below: the outbox has nothing left to deliver for these.
        self.tally
            .mark_sent(mine.iter().filter_map(|a| a.outbox).collect())
            .await?;
        let messages: Vec<_> = mine.into_iter().flat_map(|a| a.messages).collect();
        if messages.is_empty() {
            return Ok(None);
        }
        let reply = Reply {
            messages,
            ..Reply::default()
        };
        self.remember_buttons(&reply);
        Ok(Some(reply))
    }

    fn remember_buttons(&mut self, r: &Reply) {
        self.buttons = r
            .edit
            .iter()
            .chain(r.messages.iter())
            .flat_map(|m| m.buttons.iter().flatten().map(|b| b.action.clone()))
            .collect();
    }

    /// Handles one line: a message, a command, or `#N` for a button.
    pub async fn send(&mut self, line: &str) -> anyhow::Result<Option<Reply>> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(None);
        }
        let content = match line.strip_prefix('#').map(str::parse::<usize>) {
            Some(Ok(n)) => match n.checked_sub(1).and_then(|i| self.buttons.get(i)) {
                Some(action) => Content::Action(action.clone()),
                None => {
                    return Ok(Some(Reply::text(
                        tally_core::conversation::Text::plain_str(format!(
                            "There is no button #{n} on the last message."
                        )),
                    )));
                }
            },
            _ => Content::from_text(line),
        };
        self.counter += 1;
        let msg = Incoming {
            platform: Platform::Console,
            update_id: format!("{}-{}", self.session, self.counter),
            sender: Sender {
                id: self.user.clone(),
                display_name: self.user.clone(),
                role: None,
            },
            chat: Chat {
                kind: ChatKind::Private,
                id: self.user.clone(),
                title: None,
            },
            content,
            at: self.tally.now(),
            message_ref: Some(self.counter.to_string()),
            mentions: Default::default(),
        };
        // A private chat: every fresh line is answered, so only a reply matters here.
        let delivery = self.tally.handle(msg).await?.delivery();
        // Printing it is the delivery: nothing else will ever send a console reply.
        if let Some(d) = &delivery {
            self.tally.mark_sent(d.rows()).await?;
        }
        let mut reply = delivery.map(|d| d.reply);
        if let Some(r) = &mut reply {
            self.remember_buttons(r);
            self.save_attachments(r);
        }
        Ok(reply)
    }

    /// A terminal cannot show a picture: each file goes to the temporary directory and the
    /// message says where (or why not).
    fn save_attachments(&self, reply: &mut Reply) {
        let dir = std::env::temp_dir().join("tally");
        for m in reply.edit.iter_mut().chain(reply.messages.iter_mut()) {
            let Some(file) = &m.attachment else {
                continue;
            };
            // Only the name's last part, so a file name can never point elsewhere.
            let name = std::path::Path::new(&file.file_name)
                .file_name()
                .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
            let path = dir.join(format!("{}-{}-{name}", self.session, self.counter));
            let note = match std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&path, &file.bytes))
            {
                Ok(()) => format!("[{} saved to {}]", file.mime, path.display()),
                Err(e) => format!("[{} could not be saved: {e}]", file.mime),
            };
            m.text = m.text.clone().line().italic(note);
        }
    }
}

/// Runs the console until end of input. A terminal gets line editing, history and colour; a
/// pipe gets only the replies, one block per input line, blocks separated by a blank line.
pub fn run(tally: Tally, user: &str, runtime: tokio::runtime::Handle) -> anyhow::Result<()> {
    let mut console = Console::new(tally, user);
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        interactive(&mut console, &runtime)
    } else {
        piped(&mut console, &runtime)
    }
}

fn piped(console: &mut Console, runtime: &tokio::runtime::Handle) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut first = true;
    // Due recurring entries are posted at start and before each line, each as a block of its own.
    post_block(console, runtime, &mut out, &mut first)?;
    for line in stdin.lines() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        post_block(console, runtime, &mut out, &mut first)?;
        let reply = runtime.block_on(console.send(&line))?;
        let block = reply.map(|r| render(&r, false)).unwrap_or_default();
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(out, "{}", collapse_blank_lines(&block))?;
        out.flush()?;
    }
    Ok(())
}

fn post_block(
    console: &mut Console,
    runtime: &tokio::runtime::Handle,
    out: &mut impl Write,
    first: &mut bool,
) -> anyhow::Result<()> {
    if let Some(posted) = runtime.block_on(console.post_due())? {
        if !*first {
            writeln!(out)?;
        }
        *first = false;
        writeln!(out, "{}", collapse_blank_lines(&render(&posted, false)))?;
    }
    Ok(())
}

fn interactive(console: &mut Console, runtime: &tokio::runtime::Handle) -> anyhow::Result<()> {
    use rustyline::error::ReadlineError;
    let mut editor = rustyline::DefaultEditor::new().context("opening the terminal")?;
    let history = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".tally_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "Tally — talk to me like \"spent 12 on lunch\" or type /help. #1 presses button 1. Ctrl-D quits.\n"
    );
    loop {
        match runtime.block_on(console.post_due()) {
            Ok(Some(posted)) => println!("{}\n", render(&posted, true)),
            Ok(None) => {}
            Err(e) => eprintln!("error: {e:#}"),
        }
        match editor.readline("you> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                match runtime.block_on(console.send(&line)) {
                    Ok(Some(reply)) => println!("{}\n", render(&reply, true)),
                    Ok(None) => {}
                    Err(e) => eprintln!("error: {e:#}"),
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e).context("reading the terminal"),
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}

/// Keeps a reply's block free of blank lines, so blank lines separate replies in a pipe.
fn collapse_blank_lines(s: &str) -> String {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
