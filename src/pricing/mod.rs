//! The offer catalog: what one can rent, its price and its behaviour.

pub mod billing;
pub mod offer;

pub use offer::{
    Arch, Autoscaling, Behaviour, Billing, Cloud, ColdStartModel, Gpu, Kind, MemoryRange, Offer,
    Provisioned, Queue, QueuePolicy, RuntimeModel, ScalingLimits, Source, Spec,
};
