//! `tally import`: a bank's CSV file (or Tally's own) into a local user's ledger, for scripts:
//! it writes without asking; `--dry-run` prints the preview and writes nothing.

use std::path::PathBuf;

use anyhow::Context;
use tally_core::domain::Platform;

use crate::app;
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The local user whose ledger to import into (the same name as `tally chat --user NAME`).
    #[arg(long, default_value_t = super::chat::default_user())]
    pub user: String,
    /// Print what would be imported (columns, first rows, counts, dates) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The CSV file: `,` `;` or tab separated, with or without a header row.
    pub file: PathBuf,
}

pub fn run(config: Config, args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let user = args.user.trim().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let db = app::open_database(&config)?;
    let tally = app::build_tally(&config, db, None);
    let (account, ledger) = runtime
        .block_on(tally.personal_ledger_of(Platform::Console, user.clone()))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| {
            format!("there is no local user \"{user}\" yet: start with `tally chat --user {user}`")
        })?;
    let report = runtime
        .block_on(tally.import_file(
            account,
            Some(ledger.get()),
            bytes,
            args.dry_run,
            Platform::Console,
        ))
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    println!("{}", report.describe());
    Ok(())
}
