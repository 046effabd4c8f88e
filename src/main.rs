//! The `abm-scim` command: `serve` (default), `migrate`, `version`.
//!
//! A command that fails prints one line on stderr, `abm-scim: ` and what failed, why and what to
//! do, and exits with status 1 (clap's own usage errors exit with 2). The error's debug form
//! (every cause, and the backtrace when `RUST_BACKTRACE` asks for one) follows only when
//! `RUST_LOG` enables debug logging (`RUST_LOG=debug` or `RUST_LOG=abm_scim=debug`).

use std::process::ExitCode;

use clap::Parser;

use abm_scim::config::{Cli, Command};
use abm_scim::{logging, store, Application};

/// See Cargo.toml: the system allocator was a fifth of the cost of a small request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// Prints a failure: one line, then the debug form if debugging was asked for (see above).
fn report(err: &anyhow::Error) {
    // `{:#}` is the message and its causes, `: `-separated, without the backtrace.
    let line = format!("{err:#}").replace('\n', " ");
    eprintln!("abm-scim: {line}");
    if tracing::enabled!(tracing::Level::DEBUG) {
        eprintln!("{err:?}");
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            logging::init(args.log_format);
            let server = Application::build(&args).await?;
            // Printed on stdout, once, for people and scripts; never logged.
            println!("{}", server.banner());
            tracing::info!(address = %server.local_addr(), database = %store::redact_url(&args.database.database_url), "abm-scim listening");
            server.run_until(abm_scim::app::shutdown_signal()).await
        }
        Command::Migrate(db) => {
            logging::init(abm_scim::config::LogFormat::Text);
            let pool = store::PoolOptions {
                max_connections: 1,
                acquire_timeout: db.db_acquire_timeout,
                bulk_load: false,
            };
            let store = store::connect(&db.database_url, &pool).await?;
            store.close().await;
            println!(
                "migrations applied to {}",
                store::redact_url(&db.database_url)
            );
            Ok(())
        }
        Command::Seed(args) => {
            logging::init(abm_scim::config::LogFormat::Text);
            println!("{}", abm_scim::seeding::run(&args).await?);
            Ok(())
        }
        Command::Version => {
            println!("abm-scim {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
    }
}
