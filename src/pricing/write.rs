//! Writes a [`Snapshot`] back in the file form [`super::load`] reads, every
//! figure in its canonical unit with its source inline, so a written file
//! loads back to the same offers.

use super::offer::*;
use super::query::{PriceQuery, PRICE_FIELDS};
use super::snapshot::Snapshot;
use super::units::Dim;
use std::fmt::Write as _;

/// The snapshot as TOML text; `header` lines are written first as comments.
pub fn to_toml(s: &Snapshot, header: &[String]) -> anyhow::Result<String> {
    let mut w = String::new();
    for line in header {
        writeln!(w, "# {line}")?;
    }
    if !header.is_empty() {
        writeln!(w)?;
    }
    writeln!(w, "[snapshot]")?;
    writeln!(w, "name = {}", q(&s.name))?;
    writeln!(w, "date = {}", q(&s.date))?;
    writeln!(w, "description = {}", q(&s.description))?;
    for o in s.all() {
        writeln!(w)?;
        offer(&mut w, o, s.queries.get(&o.id))?;
    }
    Ok(w)
}

/// A TOML basic string on one line (JSON's escapes are a subset of TOML's).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

struct Out<'a> {
    w: &'a mut String,
    o: &'a Offer,
}

impl Out<'_> {
    fn line(&mut self, s: String) -> anyhow::Result<()> {
        writeln!(self.w, "{s}")?;
        Ok(())
    }

    fn src(&self, path: &str) -> anyhow::Result<String> {
        let s =
            self.o.sources.get(path).ok_or_else(|| {
                anyhow::anyhow!("offer {}: {path} has no source to write", self.o.id)
            })?;
        let mut out = format!("source = {}, date = {}", q(&s.source), q(&s.date));
        if s.assumption {
            out.push_str(", assumption = true");
        }
        Ok(out)
    }

    fn fig(&mut self, path: &str, value: f64, dim: Dim) -> anyhow::Result<()> {
        let src = self.src(path)?;
        self.line(format!(
            "{path} = {{ value = {value}, unit = {}, {src} }}",
            q(dim.canonical())
        ))
    }

    /// Figures that share a table: `(field, value, unit)` under `prefix`.
    fn figs(&mut self, prefix: &str, figs: &[(&str, f64, Dim)]) -> anyhow::Result<()> {
        for (field, value, dim) in figs {
            self.fig(&format!("{prefix}.{field}"), *value, *dim)?;
        }
        Ok(())
    }

    fn flag(&mut self, path: &str, value: bool) -> anyhow::Result<()> {
        let src = self.src(path)?;
        self.line(format!("{path} = {{ value = {value}, {src} }}"))
    }

    fn text(&mut self, path: &str, value: &str) -> anyhow::Result<()> {
        self.line(format!("{path} = {}", q(value)))
    }
}

fn offer(
    w: &mut String,
    o: &Offer,
    queries: Option<&super::query::OfferQueries>,
) -> anyhow::Result<()> {
    writeln!(w, "[[offer]]")?;
    let mut out = Out { w, o };
    out.text("id", &o.id)?;
    out.text("name", &o.name)?;
    out.text("cloud", &lower(&o.cloud))?;
    out.text("kind", &lower(&o.kind))?;
    out.text("region", &o.region)?;
    spec(&mut out, &o.spec)?;
    billing(&mut out, &o.billing)?;
    behaviour(&mut out, &o.behaviour)?;
    runtime(&mut out, &o.runtime)?;
    for p in &o.purchase {
        purchase(&mut out, p)?;
    }
    access(&mut out, &o.access)?;
    if let Some(qs) = queries {
        for (field, _) in PRICE_FIELDS {
            if let Some(query) = qs.get(*field) {
                out.line(format!("api.{field} = {}", query_toml(query)))?;
            }
        }
    }
    Ok(())
}

/// One purchase option, as `purchase.KEY.*` keys.
fn purchase(out: &mut Out, p: &Purchase) -> anyhow::Result<()> {
    let at = format!("purchase.{}", p.key);
    out.text(&format!("{at}.name"), &p.name)?;
    out.text(&format!("{at}.kind"), &lower(&p.kind))?;
    let figs = [
        ("per_hour_usd", p.per_hour_usd, Dim::UsdPerHour),
        ("discount", p.discount, Dim::Share),
        ("term", p.term_months.map(f64::from), Dim::Count("months")),
        (
            "interruptions_per_hour",
            p.interruptions_per_hour,
            Dim::PerInstanceHour,
        ),
        ("replacement_s", p.replacement_s, Dim::Seconds),
    ];
    for (field, value, dim) in figs {
        if let Some(v) = value {
            out.fig(&format!("{at}.{field}"), v, dim)?;
        }
    }
    Ok(())
}

/// The instance spec.
fn spec(out: &mut Out, s: &Spec) -> anyhow::Result<()> {
    out.fig("spec.vcpu", s.vcpu, Dim::Vcpu)?;
    out.fig("spec.memory_mb", s.memory_mb, Dim::Megabytes)?;
    out.text("spec.arch", &lower(&s.arch))?;
    out.fig("spec.cpu_speed", s.cpu_speed, Dim::Factor("x"))?;
    out.text("spec.cpu_family", &s.cpu_family)?;
    if let Some(m) = s.mb_per_vcpu {
        out.fig("spec.mb_per_vcpu", m, Dim::Megabytes)?;
    }
    if let Some(r) = s.memory_range {
        out.figs(
            "spec.memory_range",
            &[
                ("min_mb", r.min_mb, Dim::Megabytes),
                ("max_mb", r.max_mb, Dim::Megabytes),
                ("step_mb", r.step_mb, Dim::Megabytes),
            ],
        )?;
    }
    if let Some(g) = &s.gpu {
        out.text("spec.gpu.model", &g.model)?;
        out.figs(
            "spec.gpu",
            &[
                ("count", g.count as f64, Dim::Count("GPUs")),
                ("memory_gb", g.memory_gb, Dim::Gigabytes),
                ("relative_t4", g.relative_t4, Dim::Factor("x T4")),
            ],
        )?;
    }
    if s.needs_compilation {
        out.flag("spec.needs_compilation", true)?;
    }
    Ok(())
}

/// What reaching the model costs (the prices only: charges are the user's).
fn access(out: &mut Out, a: &Access) -> anyhow::Result<()> {
    if let Some(v) = a.egress_per_gb_usd {
        out.fig("access.egress_per_gb_usd", v, Dim::UsdPerGb)?;
    }
    if let Some(v) = a.gateway_per_request_usd {
        out.fig("access.gateway_per_request_usd", v, Dim::UsdPerRequest)?;
    }
    Ok(())
}

/// Provisioned concurrency's two prices.
fn provisioned_figs(out: &mut Out, p: &Provisioned) -> anyhow::Result<()> {
    out.figs(
        "billing.provisioned",
        &[
            ("per_gb_s_usd", p.per_gb_s_usd, Dim::UsdPerGbS),
            (
                "duration_per_gb_s_usd",
                p.duration_per_gb_s_usd,
                Dim::UsdPerGbS,
            ),
        ],
    )
}

/// Instance-based billing's rates; the GPU's when it has one or `gpu_s`
/// (the figure is sourced), and whether it is the only billing.
fn instance_figs(out: &mut Out, i: &InstanceBilling, gpu_s: bool) -> anyhow::Result<()> {
    out.figs(
        "billing.instance",
        &[
            ("per_vcpu_s_usd", i.per_vcpu_s_usd, Dim::UsdPerVcpuS),
            ("per_gib_s_usd", i.per_gib_s_usd, Dim::UsdPerGibS),
        ],
    )?;
    if i.per_gpu_s_usd > 0.0 || gpu_s {
        out.fig(
            "billing.instance.per_gpu_s_usd",
            i.per_gpu_s_usd,
            Dim::UsdPerGpuS,
        )?;
    }
    out.flag("billing.instance.required", i.required)
}

/// The billing model and its prices.
fn billing(out: &mut Out, b: &Billing) -> anyhow::Result<()> {
    let sourced = |path: &str| out.o.sources.contains_key(path);
    match b {
        Billing::Invocation {
            per_request_usd,
            per_gb_s_usd,
            per_ghz_s_usd,
            cpu_ghz,
            granularity_s,
            init_billed,
            provisioned,
            snapstart,
        } => {
            // Prices that are zero and never sourced are the model's
            // defaults, left out so written files stay as their authors wrote them.
            let ghz_s = *per_ghz_s_usd > 0.0 || sourced("billing.per_ghz_s_usd");
            let ghz = *cpu_ghz > 0.0 || sourced("billing.cpu_ghz");
            out.text("billing.model", "invocation")?;
            out.figs(
                "billing",
                &[
                    ("per_request_usd", *per_request_usd, Dim::UsdPerRequest),
                    ("per_gb_s_usd", *per_gb_s_usd, Dim::UsdPerGbS),
                ],
            )?;
            if ghz_s {
                out.fig("billing.per_ghz_s_usd", *per_ghz_s_usd, Dim::UsdPerGhzS)?;
            }
            if ghz {
                out.fig("billing.cpu_ghz", *cpu_ghz, Dim::Ghz)?;
            }
            out.fig("billing.granularity_s", *granularity_s, Dim::Seconds)?;
            out.flag("billing.init_billed", *init_billed)?;
            if let Some(p) = provisioned {
                provisioned_figs(out, p)?;
            }
            if let Some(p) = snapstart {
                out.figs(
                    "billing.snapstart",
                    &[
                        ("cache_per_gb_s_usd", p.cache_per_gb_s_usd, Dim::UsdPerGbS),
                        ("cache_minimum_s", p.cache_minimum_s, Dim::Seconds),
                        ("restore_per_gb_usd", p.restore_per_gb_usd, Dim::UsdPerGb),
                    ],
                )?;
            }
        }
        Billing::ActiveInstance {
            per_request_usd,
            per_vcpu_s_usd,
            per_gib_s_usd,
            granularity_s,
            provisioned,
            instance,
        } => {
            let gpu_s = sourced("billing.instance.per_gpu_s_usd");
            out.text("billing.model", "active_instance")?;
            out.figs(
                "billing",
                &[
                    ("per_request_usd", *per_request_usd, Dim::UsdPerRequest),
                    ("per_vcpu_s_usd", *per_vcpu_s_usd, Dim::UsdPerVcpuS),
                    ("per_gib_s_usd", *per_gib_s_usd, Dim::UsdPerGibS),
                    ("granularity_s", *granularity_s, Dim::Seconds),
                ],
            )?;
            if let Some(p) = provisioned {
                provisioned_figs(out, p)?;
            }
            if let Some(i) = instance {
                instance_figs(out, i, gpu_s)?;
            }
        }
        Billing::Hourly {
            per_hour_usd,
            granularity_s,
            minimum_s,
        } => {
            out.text("billing.model", "hourly")?;
            out.figs(
                "billing",
                &[
                    ("per_hour_usd", *per_hour_usd, Dim::UsdPerHour),
                    ("granularity_s", *granularity_s, Dim::Seconds),
                    ("minimum_s", *minimum_s, Dim::Seconds),
                ],
            )?;
        }
    }
    Ok(())
}

/// How the platform admits, scales and queues requests.
fn behaviour(out: &mut Out, b: &Behaviour) -> anyhow::Result<()> {
    let p = "behaviour";
    out.figs(
        p,
        &[
            ("network_rtt_s", b.network_rtt_s, Dim::Seconds),
            ("timeout_s", b.timeout_s, Dim::Seconds),
            (
                "concurrency_per_instance",
                b.concurrency_per_instance as f64,
                Dim::Count("requests"),
            ),
        ],
    )?;
    if let Some(t) = b.threads_per_request {
        out.fig(
            "behaviour.threads_per_request",
            t as f64,
            Dim::Count("threads"),
        )?;
    }
    let c = &b.cold_start;
    out.figs(
        "behaviour.cold_start",
        &[
            ("platform_init_s", c.platform_init_s, Dim::Seconds),
            (
                "init_s_per_package_mb",
                c.init_s_per_package_mb,
                Dim::SPerMb,
            ),
            ("download_mb_per_s", c.download_mb_per_s, Dim::MbPerS),
        ],
    )?;
    if let Some(r) = c.snapstart_restore_s {
        out.fig("behaviour.cold_start.snapstart_restore_s", r, Dim::Seconds)?;
    }
    if let Some(k) = b.keep_alive_s {
        out.fig("behaviour.keep_alive_s", k, Dim::Seconds)?;
    }
    if let Some(l) = &b.scaling {
        let n = Dim::Count("instances");
        out.figs(
            "behaviour.scaling",
            &[
                ("max_instances", l.max_instances as f64, n),
                ("burst", l.burst as f64, n),
                ("new_per_s", l.new_per_s, Dim::InstancesPerS),
            ],
        )?;
    }
    if let Some(a) = &b.autoscaling {
        let (n, periods) = (Dim::Count("instances"), Dim::Count("periods"));
        out.figs(
            "behaviour.autoscaling",
            &[
                ("min_instances", a.min_instances as f64, n),
                ("max_instances", a.max_instances as f64, n),
                (
                    "target_per_instance_per_min",
                    a.target_per_instance_per_min,
                    Dim::RequestsPerMin,
                ),
                ("metric_period_s", a.metric_period_s, Dim::Seconds),
                ("scale_out_periods", a.scale_out_periods as f64, periods),
                ("scale_in_periods", a.scale_in_periods as f64, periods),
                ("provisioning_delay_s", a.provisioning_delay_s, Dim::Seconds),
            ],
        )?;
    }
    if out.o.kind != Kind::Serverless || b.instances != 0 {
        out.fig(
            "behaviour.instances",
            b.instances as f64,
            Dim::Count("instances"),
        )?;
    }
    out.fig(
        "behaviour.queue.capacity_per_instance",
        b.queue.capacity_per_instance as f64,
        Dim::Count("requests"),
    )?;
    out.text("behaviour.queue.policy", &lower(&b.queue.policy))
}

/// The serving runtime's package and speed.
fn runtime(out: &mut Out, r: &RuntimeModel) -> anyhow::Result<()> {
    out.text("runtime.name", &r.name)?;
    out.figs(
        "runtime",
        &[
            ("package_mb", r.package_mb, Dim::Megabytes),
            ("import_s", r.import_s, Dim::Seconds),
            ("inference_factor", r.inference_factor, Dim::Factor("x")),
            ("load_factor", r.load_factor, Dim::Factor("x")),
        ],
    )?;
    // A sourced `false` (an offer whose runtime is not the profile's) is kept.
    if r.import_from_profile || out.o.sources.contains_key("runtime.import_from_profile") {
        out.flag("runtime.import_from_profile", r.import_from_profile)?;
    }
    if let Some(limit) = r.package_limit_mb {
        out.fig("runtime.package_limit_mb", limit, Dim::Megabytes)?;
    }
    Ok(())
}

fn query_toml(query: &PriceQuery) -> String {
    match query {
        PriceQuery::Aws {
            service,
            filters,
            unit,
        } => {
            let f: Vec<String> = filters
                .iter()
                .map(|(k, v)| format!("{k} = {}", q(v)))
                .collect();
            format!(
                "{{ service = {}, unit = {}, filters = {{ {} }} }}",
                q(service),
                q(unit),
                f.join(", ")
            )
        }
        PriceQuery::Azure { filter, unit } => {
            format!("{{ filter = {}, unit = {} }}", q(filter), q(unit))
        }
        PriceQuery::Gcp { service, skus } => {
            let parts: Vec<String> = skus
                .iter()
                .map(|p| {
                    format!(
                        "{{ description = {}, quantity = {} }}",
                        q(&p.description),
                        p.quantity
                    )
                })
                .collect();
            format!(
                "{{ service = {}, skus = [{}] }}",
                q(service),
                parts.join(", ")
            )
        }
    }
}

/// The snake_case name serde gives a unit enum variant.
fn lower<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::load::parse_snapshot;
    use super::super::snapshot::{builtin, builtin_names};
    use super::*;

    #[test]
    fn shipped_snapshots_round_trip_through_the_writer() {
        for name in builtin_names() {
            let s = builtin(name).unwrap();
            let text = to_toml(&s, &["written by a test".to_string()]).unwrap();
            let back = parse_snapshot(&text, "written.toml").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back.name, s.name);
            assert_eq!(back.date, s.date);
            assert_eq!(back.description, s.description);
            assert_eq!(back.offers, s.offers, "{name}");
            assert_eq!(back.regional, s.regional, "{name}");
            assert_eq!(back.queries, s.queries, "{name}");
        }
    }

    #[test]
    fn strings_are_escaped_on_one_line() {
        let s = "a \"b\"\n\\ c";
        let text = format!("k = {}", q(s));
        assert!(!text.contains('\n'));
        let v: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(v["k"].as_str(), Some(s));
    }
}
