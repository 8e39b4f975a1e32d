//! When a failed webhook delivery is tried again: Standard Webhooks' schedule, with jitter.

use std::time::Duration;

/// SQS's longest visibility timeout: no retry waits longer.
pub const MAX_DELAY: Duration = Duration::from_secs(12 * 60 * 60);

/// The delays before each retry (Standard Webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). A message is
/// tried once plus once per delay.
#[derive(Clone, Debug, PartialEq)]
pub struct RetrySchedule(pub Vec<Duration>);

impl Default for RetrySchedule {
    fn default() -> Self {
        let m = 60;
        let h = 60 * m;
        Self([5, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h].into_iter().map(Duration::from_secs).collect())
    }
}

impl RetrySchedule {
    /// Parses `5s,5m,30m,2h` (units ms, s, m, h).
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(|part| {
                let part = part.trim();
                let split = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len());
                let (n, unit) = part.split_at(split);
                let n: u64 = n.parse().map_err(|_| format!("'{part}' is not a duration like 5s, 5m or 2h"))?;
                let d = match unit {
                    "ms" => Duration::from_millis(n),
                    "s" => Duration::from_secs(n),
                    "m" => Duration::from_secs(n * 60),
                    "h" => Duration::from_secs(n * 3600),
                    _ => return Err(format!("'{part}' is not a duration like 5s, 5m or 2h")),
                };
                if d > MAX_DELAY {
                    return Err(format!("'{part}' is longer than 12 hours"));
                }
                Ok(d)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Tries in all: the first and one after each delay.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX - 1) + 1
    }

    /// The delay after failed attempt `attempt` (1-based), with ±10 % jitter; `None` after the last.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let base = *self.0.get(usize::try_from(attempt).ok()?.checked_sub(1)?)?;
        let mut byte = [0u8; 1];
        let _ = getrandom::fill(&mut byte);
        let factor = 0.9 + f64::from(byte[0]) / 255.0 * 0.2;
        Some(base.mul_f64(factor).min(MAX_DELAY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_standard_webhooks() {
        let s = RetrySchedule::default();
        assert_eq!(s.attempts(), 8);
        let secs: Vec<u64> = s.0.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [5, 300, 1800, 7200, 18000, 36000, 36000]);
        let d = s.delay_after(1).unwrap();
        assert!(d >= Duration::from_millis(4500) && d <= Duration::from_millis(5500), "{d:?}");
        assert!(s.delay_after(8).is_none());
        assert!(s.delay_after(0).is_none());
    }

    #[test]
    fn schedules_parse_with_units_and_refuse_nonsense() {
        assert_eq!(
            RetrySchedule::parse("10ms, 2s,1m,1h").unwrap().0,
            [Duration::from_millis(10), Duration::from_secs(2), Duration::from_secs(60), Duration::from_secs(3600)]
        );
        for bad in ["", "5", "5x", "13h", "-1s"] {
            assert!(RetrySchedule::parse(bad).is_err(), "{bad}");
        }
    }
}
