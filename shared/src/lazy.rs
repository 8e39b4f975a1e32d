//! A value built on first use, once, by the closure it was given: for the SDK clients, so that a function's start
//! does no client construction and no TLS set-up before its first event, and the first request pays only for
//! what it uses.

use std::sync::OnceLock;

pub struct Lazy<T> {
    cell: OnceLock<T>,
    make: Box<dyn Fn() -> T + Send + Sync>,
}

impl<T> Lazy<T> {
    pub fn new(make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self { cell: OnceLock::new(), make: Box::new(make) }
    }

    /// A value already built.
    pub fn ready(value: T) -> Self
    where
        T: Clone + Send + Sync + 'static,
    {
        let cell = OnceLock::new();
        let _ = cell.set(value.clone());
        Self { cell, make: Box::new(move || value.clone()) }
    }

    pub fn get(&self) -> &T {
        self.cell.get_or_init(|| (self.make)())
    }

    /// Whether the value was built yet.
    pub fn is_built(&self) -> bool {
        self.cell.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_lazy_value_is_built_once_on_first_use() {
        let builds = Arc::new(AtomicUsize::new(0));
        let counted = builds.clone();
        let lazy = Lazy::new(move || counted.fetch_add(1, Ordering::SeqCst) + 41);
        assert!(!lazy.is_built());
        assert_eq!(builds.load(Ordering::SeqCst), 0);
        assert_eq!(*lazy.get(), 41);
        assert_eq!(*lazy.get(), 41);
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }
}
