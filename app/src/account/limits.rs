//! Sign-in rate limits: per account and per network address, so that
//! guessing one person's password and trying many accounts from one place
//! are both slowed to a crawl. Every attempt counts, right or wrong: a
//! limit that only counted failures would tell a guesser when they were
//! right.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Attempts per account before it has to wait.
const ACCOUNT_BURST: NonZeroU32 = NonZeroU32::new(5).expect("5 is not zero");
/// One more attempt per account per this long, after the burst.
const ACCOUNT_PERIOD: Duration = Duration::from_secs(3 * 60);
/// Attempts per network address before it has to wait.
const ADDRESS_BURST: NonZeroU32 = NonZeroU32::new(20).expect("20 is not zero");
/// One more attempt per address per this long, after the burst.
const ADDRESS_PERIOD: Duration = Duration::from_secs(30);

/// The sign-in limits of one server (kept in memory: a restart forgets
/// them, which costs a guesser nothing they could not get by waiting).
#[derive(Debug)]
pub struct SignInLimits {
    by_account: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

/// Which limit an attempt hit, and how long until the next is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooManyAttempts {
    /// Too many attempts for this account.
    #[error("too many sign-in attempts for this account: try again in {} minute(s)", minutes(*.0))]
    Account(Duration),
    /// Too many attempts from this network address.
    #[error("too many sign-in attempts from your network: try again in {} minute(s)", minutes(*.0))]
    Address(Duration),
}

fn minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

fn quota(period: Duration, burst: NonZeroU32) -> Quota {
    // `with_period` refuses only a zero period, which the constants exclude.
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_hour(burst))
        .allow_burst(burst)
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            by_account: RateLimiter::keyed(quota(ACCOUNT_PERIOD, ACCOUNT_BURST)),
            by_address: RateLimiter::keyed(quota(ADDRESS_PERIOD, ADDRESS_BURST)),
        }
    }
}

impl SignInLimits {
    /// Counts an attempt to sign in as `account` (the address typed, lower
    /// case) from `address`, or says how long to wait.
    pub fn attempt(&self, account: &str, address: Option<IpAddr>) -> Result<(), TooManyAttempts> {
        let now = DefaultClock::default().now();
        if let Some(address) = address {
            self.by_address
                .check_key(&address)
                .map_err(|not_until| TooManyAttempts::Address(not_until.wait_time_from(now)))?;
        }
        self.by_account
            .check_key(&account.to_owned())
            .map_err(|not_until| TooManyAttempts::Account(not_until.wait_time_from(now)))
    }

    /// Forgets accounts and addresses whose limits have fully recovered,
    /// so memory does not grow with every address ever seen.
    pub fn forget_recovered(&self) {
        self.by_account.retain_recent();
        self.by_address.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_quick_attempt_for_one_account_waits_and_others_do_not() {
        let limits = SignInLimits::default();
        for _ in 0..5 {
            assert_eq!(limits.attempt("mara@fenwick.example", None), Ok(()));
        }
        let refused = limits
            .attempt("mara@fenwick.example", None)
            .expect_err("limited");
        assert!(
            refused.to_string().starts_with(
                "too many sign-in attempts for this account: try again in 3 minute(s)"
            ),
            "{refused}"
        );
        assert_eq!(limits.attempt("jo@fenwick.example", None), Ok(()));
    }

    #[test]
    fn one_address_trying_many_accounts_is_limited_too() {
        let limits = SignInLimits::default();
        let address: IpAddr = [203, 0, 113, 9].into();
        for attempt in 0..20 {
            assert_eq!(
                limits.attempt(&format!("guess{attempt}@x.example"), Some(address)),
                Ok(())
            );
        }
        assert!(matches!(
            limits.attempt("one-more@x.example", Some(address)),
            Err(TooManyAttempts::Address(_))
        ));
        assert_eq!(
            limits.attempt("one-more@x.example", Some([203, 0, 113, 10].into())),
            Ok(())
        );
    }
}
