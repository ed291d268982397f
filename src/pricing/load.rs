//! Reads and checks one snapshot file into [`Snapshot`].
//!
//! The file form (see `pricing/study-2020.toml` for a worked example):
//!
//! ```toml
//! [snapshot]                     # name, date, description
//! [sources.NAME]                 # source = "URL or the study", date = "YYYY-MM-DD"
//! [defaults.NAME]                # any part of an offer, shared by offers naming it
//! [[offer]]                      # id, defaults = "NAME", name, cloud, kind, region,
//!                                # spec, billing, behaviour, runtime, api
//! ```
//!
//! Every number is a figure `{ value, unit, src }` (see [`super::reader`]);
//! the offer's tables mirror [`Offer`]'s fields, so a figure's path in the
//! file is its key in [`Offer::sources`].

use super::offer::*;
use super::query::{figure_path, OfferQueries, PriceQuery, SkuPart};
use super::reader::{Ctx, Table};
use super::snapshot::Snapshot;
use super::tree::{self, Node, Val};
use super::units::Dim;
use crate::error::bad_input;
use std::collections::BTreeMap;

type R<T> = anyhow::Result<T>;

/// Parses the text of a snapshot file; `file` names it in errors.
pub fn parse_snapshot(src: &str, file: &str) -> R<Snapshot> {
    let doc = tree::parse(src).map_err(|e| bad_input(format!("{file} {e}")))?;
    let none = BTreeMap::new();
    let ctx0 = Ctx::new(file, &none);
    let root = Table::new(&ctx0, &doc, "")?;

    let meta = root.table("snapshot")?;
    let name = meta.string("name")?;
    let date = meta.string("date")?;
    check_date(&ctx0, meta.line(), "snapshot.date", &date)?;
    let description = meta.string("description")?;
    meta.finish()?;

    let sources = read_sources(&ctx0, root.opt_table("sources")?)?;
    let defaults: BTreeMap<String, &Node> = match root.opt_table("defaults")? {
        None => BTreeMap::new(),
        Some(t) => t
            .keys()
            .into_iter()
            .map(|k| (k.to_string(), t.get(k).expect("key listed by the table")))
            .collect(),
    };
    let offers_node = root
        .get("offer")
        .ok_or_else(|| ctx0.err(1, "offer", "no [[offer]] in the file"))?;
    root.finish()?;
    let Val::Array(items) = &offers_node.val else {
        return Err(ctx0.err(
            offers_node.line,
            "offer",
            "expected [[offer]] tables (an array of tables)",
        ));
    };

    let mut offers: Vec<Offer> = Vec::new();
    let mut queries = BTreeMap::new();
    for item in items {
        let merged = with_defaults(&ctx0, item, &defaults)?;
        for node in expand_regions(&ctx0, item, merged)? {
            let (offer, q) = read_offer(file, &sources, &node, &name, item.line)?;
            if offers.iter().any(|o| o.id == offer.id) {
                return Err(ctx0.err(
                    item.line,
                    "id",
                    format!("offer id \"{}\" is used twice", offer.id),
                ));
            }
            if !q.is_empty() {
                queries.insert(offer.id.clone(), q);
            }
            offers.push(offer);
        }
    }
    let mut s = Snapshot {
        name,
        date,
        description,
        offers: Vec::new(),
        regional: Vec::new(),
        queries,
        origin: file.to_string(),
    };
    s.set_offers(offers);
    Ok(s)
}

/// Dates are `YYYY-MM-DD` or `YYYY-MM`, so they sort and compare as text.
fn check_date(ctx: &Ctx, line: usize, field: &str, date: &str) -> R<()> {
    let ok = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
        || chrono::NaiveDate::parse_from_str(&format!("{date}-01"), "%Y-%m-%d").is_ok();
    if ok {
        Ok(())
    } else {
        Err(ctx.err(
            line,
            field,
            format!("date \"{date}\" is not YYYY-MM-DD or YYYY-MM"),
        ))
    }
}

fn read_sources(ctx: &Ctx, t: Option<Table>) -> R<BTreeMap<String, Source>> {
    let mut out = BTreeMap::new();
    let Some(t) = t else { return Ok(out) };
    for key in t.keys() {
        let s = t.table(key)?;
        let source = s.string("source")?;
        let date = s.string("date")?;
        check_date(ctx, s.line(), &s.path_of("date"), &date)?;
        let assumption = match s.get("assumption") {
            None => false,
            Some(Node {
                val: Val::Bool(b), ..
            }) => *b,
            Some(n) => {
                return Err(ctx.err(n.line, &s.path_of("assumption"), "expected true or false"))
            }
        };
        s.finish()?;
        out.insert(
            key.to_string(),
            Source {
                source,
                date,
                assumption,
            },
        );
    }
    Ok(out)
}

/// The offer with its `defaults` tables merged under it: later names win over
/// earlier ones, and the offer wins over all.
fn with_defaults(ctx: &Ctx, item: &Node, defaults: &BTreeMap<String, &Node>) -> R<Node> {
    let Val::Table(map) = &item.val else {
        return Err(ctx.err(item.line, "offer", "expected a table"));
    };
    let Some(d) = map.get("defaults") else {
        return Ok(item.clone());
    };
    let expected = "expected the name of a [defaults.NAME] table, or a list of names";
    let names: Vec<&str> = match &d.val {
        Val::Str(name) => vec![name.as_str()],
        Val::Array(items) => items
            .iter()
            .map(|n| match &n.val {
                Val::Str(s) => Ok(s.as_str()),
                _ => Err(ctx.err(n.line, "defaults", expected)),
            })
            .collect::<R<_>>()?,
        _ => return Err(ctx.err(d.line, "defaults", expected)),
    };
    let mut acc = Node {
        line: item.line,
        val: Val::Table(BTreeMap::new()),
    };
    for name in names {
        let base = defaults.get(name).ok_or_else(|| {
            ctx.err(
                d.line,
                "defaults",
                format!("no [defaults.{name}] table in the file"),
            )
        })?;
        acc = merge(&acc, base);
    }
    let mut own = map.clone();
    own.remove("defaults");
    Ok(merge(
        &acc,
        &Node {
            line: item.line,
            val: Val::Table(own),
        },
    ))
}

/// The offer in its default region, then one offer per region its own
/// `regions` table names: `regions.NAME` merged over the offer, with id
/// `ID@NAME` and region NAME. A `regions.NAME` table in a defaults table
/// adds to the offer's (API filters, say) but makes no region by itself, so
/// an offer is priced only where its own table says.
fn expand_regions(ctx: &Ctx, item: &Node, merged: Node) -> R<Vec<Node>> {
    let Val::Table(mut map) = merged.val else {
        return Ok(vec![merged]);
    };
    let all = map.remove("regions");
    let base = Node {
        line: merged.line,
        val: Val::Table(map),
    };
    let expected = "expected a table of region name -> what differs there";
    let own: Vec<String> = match &item.val {
        Val::Table(m) => match m.get("regions") {
            None => Vec::new(),
            Some(Node {
                val: Val::Table(r), ..
            }) => r.keys().cloned().collect(),
            Some(n) => return Err(ctx.err(n.line, "regions", expected)),
        },
        _ => Vec::new(),
    };
    let Some(all) = all else {
        return Ok(vec![base]);
    };
    let Val::Table(tables) = &all.val else {
        return Err(ctx.err(all.line, "regions", expected));
    };
    let id = match &base.val {
        Val::Table(m) => match m.get("id").map(|n| &n.val) {
            Some(Val::Str(s)) => s.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let mut out = vec![base.clone()];
    // The purchase options are priced for the default region; a region
    // lists its own in its `regions.NAME.purchase` table.
    let mut regional_base = base.clone();
    if let Val::Table(m) = &mut regional_base.val {
        m.remove("purchase");
    }
    for name in own {
        let over = &tables[&name];
        if !matches!(over.val, Val::Table(_)) {
            return Err(ctx.err(over.line, &format!("regions.{name}"), expected));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(ctx.err(
                over.line,
                &format!("regions.{name}"),
                "a region name uses only lower-case letters, digits and '-'",
            ));
        }
        let mut v = merge(&regional_base, over);
        if let Val::Table(m) = &mut v.val {
            let s = |x: String| Node {
                line: over.line,
                val: Val::Str(x),
            };
            m.insert("id".into(), s(format!("{id}{}{name}", super::region::SEP)));
            m.insert("region".into(), s(name.clone()));
        }
        out.push(v);
    }
    Ok(out)
}

/// Deep merge of tables; figures (tables with a `value`) and other values are replaced whole.
fn merge(base: &Node, over: &Node) -> Node {
    match (&base.val, &over.val) {
        (Val::Table(b), Val::Table(o)) if !is_figure(b) && !is_figure(o) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match b.get(k) {
                    Some(bv) => merge(bv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Node {
                line: over.line,
                val: Val::Table(out),
            }
        }
        _ => over.clone(),
    }
}

fn is_figure(t: &BTreeMap<String, Node>) -> bool {
    t.contains_key("value")
}

fn read_offer(
    file: &str,
    sources: &BTreeMap<String, Source>,
    node: &Node,
    snapshot: &str,
    line: usize,
) -> R<(Offer, OfferQueries)> {
    let id = {
        let ctx = Ctx::new(file, sources);
        let t = Table::new(&ctx, node, "")?;
        let id = t.string("id")?;
        // '@' joins an id and a region, and only the loader makes such ids.
        let (own_id, _) = id.split_once(super::region::SEP).unwrap_or((&id, ""));
        if !own_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(ctx.err(
                line,
                "id",
                format!("\"{id}\" may use only letters, digits, '-', '_' and '.'"),
            ));
        }
        id
    };
    let mut ctx = Ctx::new(file, sources);
    ctx.offer = Some(id.clone());
    let ctx = ctx;
    let t = Table::new(&ctx, node, "")?;
    t.string("id")?;
    let name = t.string("name")?;
    let cloud = match t.choice("cloud", &["aws", "gcp", "azure"])?.as_str() {
        "aws" => Cloud::Aws,
        "azure" => Cloud::Azure,
        _ => Cloud::Gcp,
    };
    let kind = match t
        .choice("kind", &["serverless", "managed", "server"])?
        .as_str()
    {
        "serverless" => Kind::Serverless,
        "managed" => Kind::Managed,
        _ => Kind::Server,
    };
    let region = t.string("region")?;
    if let Some((_, r)) = id.split_once(super::region::SEP) {
        if r != region {
            return Err(ctx.err(
                line,
                "id",
                format!("\"{id}\" names region {r} but the offer's region is {region}"),
            ));
        }
    }
    let spec = read_spec(&ctx, &t.table("spec")?)?;
    let billing = read_billing(&ctx, &t.table("billing")?, kind)?;
    let behaviour = read_behaviour(&ctx, &t.table("behaviour")?, kind)?;
    let runtime = read_runtime(&t.table("runtime")?)?;
    let purchase = match t.opt_table("purchase")? {
        Some(p) => super::purchase::read(&ctx, &p, kind, &billing)?,
        None => Vec::new(),
    };
    let access = match t.opt_table("access")? {
        Some(a) => read_access(&a)?,
        None => Access::default(),
    };
    let queries = match t.opt_table("api")? {
        Some(a) => read_queries(&ctx, &a, cloud)?,
        None => BTreeMap::new(),
    };
    t.finish()?;
    let mut sources_out = ctx.seen.borrow().clone();
    derived_sources(&mut sources_out, kind);
    let offer = Offer {
        id,
        snapshot: snapshot.to_string(),
        cloud,
        kind,
        name,
        region,
        spec,
        billing,
        behaviour,
        runtime,
        access,
        sources: sources_out,
        purchase,
        bought: None,
    };
    Ok((offer, queries))
}

/// What reaching the model costs: `access.egress_per_gb_usd`,
/// `access.gateway_per_request_usd` (each optional).
fn read_access(t: &Table) -> R<Access> {
    let a = Access {
        egress_per_gb_usd: t.opt_figure("egress_per_gb_usd", Dim::UsdPerGb)?,
        gateway_per_request_usd: t.opt_figure("gateway_per_request_usd", Dim::UsdPerRequest)?,
        ..Access::default()
    };
    t.finish()?;
    Ok(a)
}

/// Figures the loader derives get the source of what they were derived from.
fn derived_sources(sources: &mut BTreeMap<String, Source>, kind: Kind) {
    if !sources.contains_key("spec.vcpu") {
        if let Some(s) = sources.get("spec.mb_per_vcpu").cloned() {
            sources.insert("spec.vcpu".into(), s);
        }
    }
    if kind == Kind::Managed && !sources.contains_key("behaviour.instances") {
        if let Some(s) = sources.get("behaviour.autoscaling.min_instances").cloned() {
            sources.insert("behaviour.instances".into(), s);
        }
    }
}

fn read_spec(ctx: &Ctx, t: &Table) -> R<Spec> {
    let memory_mb = t.positive("memory_mb", Dim::Megabytes)?;
    let mb_per_vcpu = t.opt_figure("mb_per_vcpu", Dim::Megabytes)?;
    if mb_per_vcpu == Some(0.0) {
        return Err(ctx.err(
            t.line(),
            &t.path_of("mb_per_vcpu"),
            "must be greater than 0",
        ));
    }
    let vcpu = match (t.opt_figure("vcpu", Dim::Vcpu)?, mb_per_vcpu) {
        (Some(v), _) => v,
        (None, Some(per)) => memory_mb / per,
        (None, None) => {
            return Err(ctx.err(
                t.line(),
                &t.path_of("vcpu"),
                "missing (required unless mb_per_vcpu is given)",
            ))
        }
    };
    if vcpu <= 0.0 {
        return Err(ctx.err(t.line(), &t.path_of("vcpu"), "must be greater than 0"));
    }
    let arch = match t.opt_string("arch")?.as_deref() {
        None | Some("x86_64") => Arch::X86_64,
        Some("arm64") => Arch::Arm64,
        Some(other) => {
            return Err(ctx.err(
                t.line(),
                &t.path_of("arch"),
                format!("unknown value \"{other}\", expected one of x86_64, arm64"),
            ))
        }
    };
    let cpu_speed = t.positive("cpu_speed", Dim::Factor("x"))?;
    let cpu_family = t
        .opt_string("cpu_family")?
        .unwrap_or_else(|| "unknown".to_string());
    let memory_range = match t.opt_table("memory_range")? {
        None => None,
        Some(r) => {
            let range = MemoryRange {
                min_mb: r.positive("min_mb", Dim::Megabytes)?,
                max_mb: r.positive("max_mb", Dim::Megabytes)?,
                step_mb: r.positive("step_mb", Dim::Megabytes)?,
            };
            r.finish()?;
            if range.min_mb > range.max_mb || memory_mb < range.min_mb || memory_mb > range.max_mb {
                return Err(ctx.err(
                    r.line(),
                    &t.path_of("memory_range"),
                    format!(
                        "expected min_mb <= memory_mb ({memory_mb}) <= max_mb, got {}..{}",
                        range.min_mb, range.max_mb
                    ),
                ));
            }
            Some(range)
        }
    };
    let gpu = match t.opt_table("gpu")? {
        None => None,
        Some(g) => {
            let gpu = Gpu {
                model: g.string("model")?,
                count: g.count("count", "GPUs")?,
                memory_gb: g.positive("memory_gb", Dim::Gigabytes)?,
                relative_t4: g.positive("relative_t4", Dim::Factor("x T4"))?,
            };
            if gpu.count == 0 {
                return Err(ctx.err(g.line(), &g.path_of("count"), "must be at least 1"));
            }
            g.finish()?;
            Some(gpu)
        }
    };
    let needs_compilation = match t.get("needs_compilation") {
        Some(_) => t.flag("needs_compilation")?,
        None => false,
    };
    t.finish()?;
    Ok(Spec {
        vcpu,
        memory_mb,
        arch,
        cpu_speed,
        cpu_family,
        mb_per_vcpu,
        memory_range,
        gpu,
        needs_compilation,
    })
}

fn read_billing(ctx: &Ctx, t: &Table, kind: Kind) -> R<Billing> {
    let model = t.choice("model", &["invocation", "active_instance", "hourly"])?;
    let fits = match model.as_str() {
        "hourly" => kind != Kind::Serverless,
        _ => kind == Kind::Serverless,
    };
    if !fits {
        return Err(ctx.err(
            t.line(),
            &t.path_of("model"),
            format!(
                "billing model \"{model}\" does not fit kind {kind:?} (serverless: invocation or active_instance; managed and server: hourly)"
            ),
        ));
    }
    let billing = match model.as_str() {
        "invocation" => {
            let per_ghz_s_usd = t.opt_figure("per_ghz_s_usd", Dim::UsdPerGhzS)?;
            let cpu_ghz = t.opt_figure("cpu_ghz", Dim::Ghz)?;
            if per_ghz_s_usd.unwrap_or(0.0) > 0.0 && cpu_ghz.unwrap_or(0.0) <= 0.0 {
                return Err(ctx.err(
                    t.line(),
                    &t.path_of("cpu_ghz"),
                    "missing: per_ghz_s_usd needs the CPU clock it is counted at",
                ));
            }
            let provisioned = read_provisioned(t)?;
            let snapstart = match t.opt_table("snapstart")? {
                None => None,
                Some(p) => {
                    let sp = SnapStartPrices {
                        cache_per_gb_s_usd: p.figure("cache_per_gb_s_usd", Dim::UsdPerGbS)?,
                        cache_minimum_s: p.figure("cache_minimum_s", Dim::Seconds)?,
                        restore_per_gb_usd: p.figure("restore_per_gb_usd", Dim::UsdPerGb)?,
                    };
                    p.finish()?;
                    Some(sp)
                }
            };
            Billing::Invocation {
                per_request_usd: t.figure("per_request_usd", Dim::UsdPerRequest)?,
                per_gb_s_usd: t.figure("per_gb_s_usd", Dim::UsdPerGbS)?,
                per_ghz_s_usd: per_ghz_s_usd.unwrap_or(0.0),
                cpu_ghz: cpu_ghz.unwrap_or(0.0),
                granularity_s: t.positive("granularity_s", Dim::Seconds)?,
                init_billed: t.flag("init_billed")?,
                provisioned,
                snapstart,
            }
        }
        "active_instance" => Billing::ActiveInstance {
            per_request_usd: t.figure("per_request_usd", Dim::UsdPerRequest)?,
            per_vcpu_s_usd: t.figure("per_vcpu_s_usd", Dim::UsdPerVcpuS)?,
            per_gib_s_usd: t.figure("per_gib_s_usd", Dim::UsdPerGibS)?,
            granularity_s: t.positive("granularity_s", Dim::Seconds)?,
            provisioned: read_provisioned(t)?,
            instance: read_instance_billing(t)?,
        },
        _ => Billing::Hourly {
            per_hour_usd: t.figure("per_hour_usd", Dim::UsdPerHour)?,
            granularity_s: t.positive("granularity_s", Dim::Seconds)?,
            minimum_s: t.figure("minimum_s", Dim::Seconds)?,
        },
    };
    t.finish()?;
    Ok(billing)
}

/// The `provisioned` table of a billing: provisioned concurrency prices.
fn read_provisioned(t: &Table) -> R<Option<Provisioned>> {
    let Some(p) = t.opt_table("provisioned")? else {
        return Ok(None);
    };
    let pr = Provisioned {
        per_gb_s_usd: p.figure("per_gb_s_usd", Dim::UsdPerGbS)?,
        duration_per_gb_s_usd: p.figure("duration_per_gb_s_usd", Dim::UsdPerGbS)?,
    };
    p.finish()?;
    Ok(Some(pr))
}

/// The `instance` table of an active-instance billing: instance-based
/// billing's rates, and whether it is the only way the offer is billed.
fn read_instance_billing(t: &Table) -> R<Option<InstanceBilling>> {
    let Some(p) = t.opt_table("instance")? else {
        return Ok(None);
    };
    let ib = InstanceBilling {
        per_vcpu_s_usd: p.figure("per_vcpu_s_usd", Dim::UsdPerVcpuS)?,
        per_gib_s_usd: p.figure("per_gib_s_usd", Dim::UsdPerGibS)?,
        per_gpu_s_usd: p
            .opt_figure("per_gpu_s_usd", Dim::UsdPerGpuS)?
            .unwrap_or(0.0),
        required: p.flag("required")?,
    };
    p.finish()?;
    Ok(Some(ib))
}

fn read_behaviour(ctx: &Ctx, t: &Table, kind: Kind) -> R<Behaviour> {
    let network_rtt_s = t.figure("network_rtt_s", Dim::Seconds)?;
    let timeout_s = t.positive("timeout_s", Dim::Seconds)?;
    let concurrency_per_instance = t.count("concurrency_per_instance", "requests")?;
    if concurrency_per_instance == 0 {
        return Err(ctx.err(
            t.line(),
            &t.path_of("concurrency_per_instance"),
            "must be at least 1",
        ));
    }
    let threads_per_request = t.opt_count("threads_per_request", "threads")?;
    if threads_per_request == Some(0) {
        return Err(ctx.err(
            t.line(),
            &t.path_of("threads_per_request"),
            "must be at least 1",
        ));
    }
    let cold_start = read_cold_start(&t.table("cold_start")?)?;
    let keep_alive_s = t.opt_figure("keep_alive_s", Dim::Seconds)?;
    let scaling = match t.opt_table("scaling")? {
        None => None,
        Some(s) => Some(read_scaling(ctx, &s)?),
    };
    let autoscaling = match t.opt_table("autoscaling")? {
        None => None,
        Some(a) => Some(read_autoscaling(ctx, &a)?),
    };
    let instances = t.opt_count("instances", "instances")?;
    let queue = read_queue(&t.table("queue")?)?;
    let instances = instances_of(
        ctx,
        t,
        kind,
        instances,
        keep_alive_s,
        &scaling,
        &autoscaling,
    )?;
    t.finish()?;
    Ok(Behaviour {
        network_rtt_s,
        timeout_s,
        concurrency_per_instance,
        threads_per_request,
        cold_start,
        keep_alive_s,
        scaling,
        autoscaling,
        instances,
        queue,
    })
}

fn read_cold_start(c: &Table) -> R<ColdStartModel> {
    let m = ColdStartModel {
        platform_init_s: c.figure("platform_init_s", Dim::Seconds)?,
        init_s_per_package_mb: c.figure("init_s_per_package_mb", Dim::SPerMb)?,
        download_mb_per_s: c.positive("download_mb_per_s", Dim::MbPerS)?,
        snapstart_restore_s: c.opt_figure("snapstart_restore_s", Dim::Seconds)?,
    };
    c.finish()?;
    Ok(m)
}

fn read_scaling(ctx: &Ctx, s: &Table) -> R<ScalingLimits> {
    let l = ScalingLimits {
        max_instances: s.count("max_instances", "instances")?,
        burst: s.count("burst", "instances")?,
        new_per_s: s.figure("new_per_s", Dim::InstancesPerS)?,
    };
    s.finish()?;
    if l.max_instances == 0 {
        return Err(ctx.err(s.line(), &s.path_of("max_instances"), "must be at least 1"));
    }
    Ok(l)
}

fn read_autoscaling(ctx: &Ctx, a: &Table) -> R<Autoscaling> {
    let s = Autoscaling {
        min_instances: a.count("min_instances", "instances")?,
        max_instances: a.count("max_instances", "instances")?,
        target_per_instance_per_min: a
            .positive("target_per_instance_per_min", Dim::RequestsPerMin)?,
        metric_period_s: a.positive("metric_period_s", Dim::Seconds)?,
        scale_out_periods: a.count("scale_out_periods", "periods")?,
        scale_in_periods: a.count("scale_in_periods", "periods")?,
        provisioning_delay_s: a.figure("provisioning_delay_s", Dim::Seconds)?,
    };
    a.finish()?;
    if s.min_instances > s.max_instances || s.max_instances == 0 {
        return Err(ctx.err(
            a.line(),
            &a.path_of("max_instances"),
            format!(
                "expected 1 <= max_instances and min_instances ({}) <= max_instances ({})",
                s.min_instances, s.max_instances
            ),
        ));
    }
    Ok(s)
}

fn read_queue(q: &Table) -> R<Queue> {
    let queue = Queue {
        capacity_per_instance: q.count("capacity_per_instance", "requests")?,
        policy: match q.choice("policy", &["drop", "wait"])?.as_str() {
            "drop" => QueuePolicy::Drop,
            _ => QueuePolicy::Wait,
        },
    };
    q.finish()?;
    Ok(queue)
}

/// The instances an offer starts with, checking the tables its kind needs.
fn instances_of(
    ctx: &Ctx,
    t: &Table,
    kind: Kind,
    instances: Option<u32>,
    keep_alive_s: Option<f64>,
    scaling: &Option<ScalingLimits>,
    autoscaling: &Option<Autoscaling>,
) -> R<u32> {
    let missing =
        |what: &str, why: &str| ctx.err(t.line(), &t.path_of(what), format!("missing ({why})"));
    match kind {
        Kind::Serverless => {
            if keep_alive_s.is_none() {
                return Err(missing("keep_alive_s", "required for serverless offers"));
            }
            if scaling.is_none() {
                return Err(missing("scaling", "required for serverless offers"));
            }
            Ok(instances.unwrap_or(0))
        }
        Kind::Managed => {
            let a = autoscaling
                .as_ref()
                .ok_or_else(|| missing("autoscaling", "required for managed offers"))?;
            Ok(instances.unwrap_or(a.min_instances))
        }
        Kind::Server => match instances {
            Some(n) if n >= 1 => Ok(n),
            _ => Err(missing(
                "instances",
                "a server offer needs at least 1 instance",
            )),
        },
    }
}

fn read_runtime(t: &Table) -> R<RuntimeModel> {
    let r = RuntimeModel {
        name: t.string("name")?,
        package_mb: t.figure("package_mb", Dim::Megabytes)?,
        import_s: t.figure("import_s", Dim::Seconds)?,
        inference_factor: t.positive("inference_factor", Dim::Factor("x"))?,
        load_factor: t.positive("load_factor", Dim::Factor("x"))?,
        import_from_profile: match t.get("import_from_profile") {
            Some(_) => t.flag("import_from_profile")?,
            None => false,
        },
        package_limit_mb: t.opt_figure("package_limit_mb", Dim::Megabytes)?,
    };
    t.finish()?;
    Ok(r)
}

fn read_queries(ctx: &Ctx, t: &Table, cloud: Cloud) -> R<OfferQueries> {
    let mut out = BTreeMap::new();
    for field in t.keys() {
        if figure_path(field).is_none() {
            return Err(ctx.err(
                t.line(),
                &t.path_of(field),
                "not a price field that refresh can fill",
            ));
        }
        let q = t.table(field)?;
        let query = match cloud {
            Cloud::Azure => PriceQuery::Azure {
                filter: q.string("filter")?,
                unit: q.string("unit")?,
            },
            Cloud::Aws => {
                let service = q.string("service")?;
                let unit = q.string("unit")?;
                let f = q.table("filters")?;
                let mut filters = BTreeMap::new();
                for k in f.keys() {
                    filters.insert(k.to_string(), f.string(k)?);
                }
                f.finish()?;
                PriceQuery::Aws {
                    service,
                    filters,
                    unit,
                }
            }
            Cloud::Gcp => {
                let service = q.choice("service", &["compute", "run", "vertex"])?;
                let n = q.get("skus").ok_or_else(|| {
                    ctx.err(q.line(), &q.path_of("skus"), "missing (required field)")
                })?;
                let Val::Array(parts) = &n.val else {
                    return Err(ctx.err(
                        n.line,
                        &q.path_of("skus"),
                        "expected an array of { description, quantity }",
                    ));
                };
                let mut skus = Vec::new();
                for p in parts {
                    let pt = Table::new(ctx, p, &q.path_of("skus"))?;
                    let description = pt.string("description")?;
                    let quantity = match pt.get("quantity") {
                        Some(Node {
                            val: Val::Num(x), ..
                        }) if *x > 0.0 => *x,
                        _ => {
                            return Err(ctx.err(
                                p.line,
                                &pt.path_of("quantity"),
                                "expected a number greater than 0",
                            ))
                        }
                    };
                    pt.finish()?;
                    skus.push(SkuPart {
                        description,
                        quantity,
                    });
                }
                if skus.is_empty() {
                    return Err(ctx.err(n.line, &q.path_of("skus"), "is empty"));
                }
                PriceQuery::Gcp { service, skus }
            }
        };
        q.finish()?;
        out.insert(field.to_string(), query);
    }
    t.finish()?;
    Ok(out)
}
