//! The `abm-scim seed` command: bulk-load generated accounts with a progress bar.

use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::SeedArgs;
use crate::service::seed_gen::generate_accounts;
use crate::store::{self, Account, PoolOptions, Store};

/// Runs the command; returns the one-line summary.
pub async fn run(args: &SeedArgs) -> anyhow::Result<String> {
    let pool = PoolOptions {
        max_connections: 2,
        acquire_timeout: args.database.db_acquire_timeout,
        bulk_load: true,
    };
    let store = store::connect(&args.database.database_url, &pool).await?;
    let result = seed(store.as_ref(), args).await;
    store.close().await;
    result
}

async fn seed(store: &dyn Store, args: &SeedArgs) -> anyhow::Result<String> {
    let orgs = store.list_orgs().await?;
    let org = match &args.org {
        Some(key) => orgs.iter().find(|o| &o.id == key || &o.name == key),
        None if orgs.len() == 1 => orgs.first(),
        None => anyhow::bail!(
            "there are {} organizations: choose one with --org ID_OR_NAME",
            orgs.len()
        ),
    }
    .with_context(|| {
        "no such organization (start the server once to create the default one, or pass --org)"
    })?;
    let domain = match &args.domain {
        Some(domain) => domain.clone(),
        None => store
            .list_domains(&org.id)
            .await?
            .into_iter()
            .find(|d| d.verified)
            .map(|d| d.name)
            .unwrap_or_else(|| "example.com".into()),
    };
    let now = crate::domain::Timestamp::from(chrono::Utc::now());
    let bar = ProgressBar::new(args.users);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} accounts  {per_sec}  eta {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    // Accounts are generated on a thread of their own, one batch ahead, while the store inserts
    // the previous batch: generation and insertion overlap instead of alternating.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<(u64, Vec<Account>)>(1);
    let generator = {
        let (org_id, users, batch) = (org.id.clone(), args.users, args.batch);
        // Seeded accounts are synced ones: they get the role directory sync gives (Staff in a
        // business, Student in a school).
        let role = org.kind.default_role();
        let (seed_number, start) = (args.seed_number, args.start);
        tokio::task::spawn_blocking(move || {
            let mut done = 0;
            while done < users {
                let count = batch.min(users - done);
                let accounts = generate_accounts(
                    &org_id,
                    role,
                    &domain,
                    seed_number,
                    start + done,
                    count,
                    now,
                );
                if sender.blocking_send((start + done, accounts)).is_err() {
                    break; // the inserter stopped on an error
                }
                done += count;
            }
        })
    };
    let mut done = 0;
    while let Some((first, accounts)) = batches.recv().await {
        let count = accounts.len() as u64;
        let inserted = store.bulk_insert_accounts(&accounts).await.with_context(|| {
            format!(
                "inserting accounts {first}..{} (already seeded? use --start or another --seed-number)",
                first + count
            )
        });
        if let Err(err) = inserted {
            drop(batches);
            let _ = generator.await;
            return Err(err);
        }
        done += count;
        bar.set_position(done);
    }
    generator.await.context("the account generator failed")?;
    bar.set_message("updating the query planner's statistics");
    store
        .refresh_statistics()
        .await
        .context("updating statistics after seeding")?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    Ok(format!(
        "seeded {done} accounts ({}) into {} ({}, {}) in {seconds:.1} s ({:.0} accounts/s)",
        org.kind.default_role(),
        org.name,
        org.id,
        org.kind.product(),
        done as f64 / seconds.max(1e-9)
    ))
}
