//! The offer catalog: what one can rent, its price and its behaviour.
//!
//! Offers live in dated snapshot files under `pricing/` ([`load_snapshot`],
//! [`load_dir`]); the two shipped ones are built into the binary
//! ([`builtin`]). Billing rules are in [`billing`].

pub mod access;
pub mod billing;
pub mod bounds;
pub mod load;
pub mod offer;
pub mod purchase;
pub mod query;
pub mod reader;
pub mod refresh;
pub mod region;
pub mod snapshot;
pub mod summary;
pub mod tree;
pub mod units;
pub mod write;

pub use billing::{FreeTier, Usage};
pub use offer::{
    Access, Arch, Autoscaling, Behaviour, Billing, Cloud, ColdStartModel, Gpu, InstanceBilling,
    Kind, MemoryRange, Offer, Provisioned, Purchase, PurchaseKind, Queue, QueuePolicy,
    RuntimeModel, ScalingLimits, SnapStartPrices, Source, Spec,
};
pub use snapshot::{builtin, builtin_names, find, load_dir, load_snapshot, Snapshot};
