//! The advice, shared by the batching, memory, break-even and
//! recommendation screens.

use super::super::action::Action;
use super::compare::Row;
use super::{Effect, State};
use crate::advise::Advice;
use std::sync::Arc;

/// The advice, as the batching, memory, break-even and recommendation screens show it.
#[derive(Debug, Clone, Default)]
pub struct AdviceView {
    /// The latest advice.
    pub advice: Option<Arc<Advice>>,
    /// Whether it is being computed.
    pub running: bool,
    /// Why the last computation failed.
    pub error: Option<String>,
    /// Ticks since the computation started (for the elapsed time).
    pub started_tick: u64,
}

impl State {
    /// The advice arrived.
    pub(super) fn advice_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Advised { generation, result } => {
                if generation != self.advice_generation {
                    return Vec::new();
                }
                self.advice.running = false;
                match result {
                    Ok(advice) => {
                        self.advice.error = None;
                        self.compare.month = advice
                            .ranked
                            .iter()
                            .filter(|r| r.variant.origin == "default")
                            .map(|r| (r.offer.clone(), r.cost_per_month_usd))
                            .collect();
                        self.compare.options = advice.ranked.iter().map(Row::of_ranked).collect();
                        self.compare.best = advice.best.as_ref().map(|b| b.id.clone());
                        self.compare.resort();
                        self.batching_cursor = self
                            .batching_cursor
                            .min(advice.batching.len().saturating_sub(1));
                        self.memory_cursor = self
                            .memory_cursor
                            .min(advice.memory.len().saturating_sub(1));
                        self.advice.advice = Some(advice);
                    }
                    Err(e) => {
                        self.say(&format!("advice: {e}"), true);
                        self.advice.error = Some(e);
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Starts advising when both the model and the trace are there.
    pub(super) fn advise(&mut self) -> Vec<Effect> {
        let (Some(profile), Some(loaded)) = (&self.profile.profile, &self.workload.loaded) else {
            return Vec::new();
        };
        self.advice_generation += 1;
        self.advice.running = true;
        self.advice.started_tick = self.tick;
        let request = crate::advise::Request {
            profile: profile.clone(),
            trace: (*loaded.trace).clone(),
            trace_name: self.workload.name(),
            snapshot: self.snapshot.clone(),
            offers: (*self.offers).clone(),
            constraints: self.constraints.clone(),
            seed: self.seed,
            free_tier: false,
        };
        vec![Effect::Advise {
            generation: self.advice_generation,
            request: Box::new(request),
        }]
    }

    /// How far the recommendation can scroll at the current size.
    pub fn recommend_max_scroll(&self) -> usize {
        match self.advice.advice.as_deref() {
            Some(a) => crate::tui::recommend_text::max_scroll(a, self.size),
            None => 0,
        }
    }

    /// How far the break-even screen's text can scroll at the current size.
    pub fn breakeven_max_scroll(&self) -> usize {
        match self.advice.advice.as_deref() {
            Some(a) => crate::tui::screens::breakeven::max_scroll(a, self.size),
            None => 0,
        }
    }
}
