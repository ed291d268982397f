//! ALBERT-base, as an exporter writes Hugging Face's `AlbertModel`.
//!
//! Lan et al. 2019, `albert-base-v2` configuration: vocabulary 30000,
//! factorised embeddings of 128 projected to hidden 768, 12 layers that share
//! one set of weights (the initializers appear once, the nodes 12 times),
//! 12 heads, FFN 3072. The mask follows the Hugging Face export: `(1 - mask) *
//! -10000` added to the attention scores. GELU uses the exact erf form; the
//! checkpoint's `gelu_new` is the tanh approximation, which costs the same.

use super::graph::{float, int, ints, GraphBuilder, D};
use crate::model::proto::{data_type, ModelProto};

/// Seed of the weights.
const SEED: u64 = 0x616c_6265_7274_6261; // "albertba"

const VOCAB: i64 = 30_000;
const EMBED: i64 = 128;
const MAX_POS: i64 = 512;
const TYPES: i64 = 2;
const HIDDEN: i64 = 768;
const HEADS: i64 = 12;
const HEAD_DIM: i64 = HIDDEN / HEADS;
const FFN: i64 = 3072;
const LAYERS: usize = 12;
const LN_EPS: f32 = 1e-12;

/// Parameters of Hugging Face's `AlbertModel` for `albert-base-v2`, pooler
/// included: embeddings 3,906,048 + projection 99,072 + one shared layer
/// 7,087,872 + pooler 590,592.
pub const HF_PARAMS: u64 = 11_683_584;

/// Builds the model: int64 inputs `input_ids`, `attention_mask`,
/// `token_type_ids` of `[batch, seq]` (seq up to 512); outputs
/// `last_hidden_state` `[batch, seq, 768]` and `pooler_output` `[batch, 768]`.
pub fn albert_base() -> ModelProto {
    albert(
        "albert-base",
        LAYERS,
        "ALBERT-base (albert-base-v2 configuration, 12 layers sharing weights) with seeded \
         random weights, built by advisor for profiling",
    )
}

/// One ALBERT-base layer (embeddings, one attention and feed-forward block,
/// pooler): the matmul-heavy workload of the reference probe, a twelfth of
/// ALBERT-base's encoder at the same width, so it times in milliseconds.
pub fn albert_block() -> ModelProto {
    albert(
        "albert-block",
        1,
        "one ALBERT-base layer with seeded random weights, advisor's matmul reference probe",
    )
}

fn albert(name: &str, layers: usize, doc: &str) -> ModelProto {
    let mut g = GraphBuilder::new(name, SEED);
    let bs = [D::S("batch"), D::S("seq")];
    let ids = g.input("input_ids", data_type::INT64, &bs);
    let mask = g.input("attention_mask", data_type::INT64, &bs);
    let types = g.input("token_type_ids", data_type::INT64, &bs);

    let (h, zero) = embeddings(&mut g, &ids, &types);

    // Factorised projection 128 -> 768.
    let mut h = linear(
        &mut g,
        "albert.encoder.embedding_hidden_mapping_in",
        &h,
        EMBED,
        HIDDEN,
        "enc.in",
    );

    // Extended mask [batch, 1, 1, seq]: (1 - mask) * -10000.
    let axes12 = g.const_i64("c.axes12", &[2], &[1, 2]);
    let m = g.node("Unsqueeze", &[&mask, &axes12], "mask.unsqueezed", vec![]);
    let m = g.node(
        "Cast",
        &[&m],
        "mask.float",
        vec![int("to", data_type::FLOAT as i64)],
    );
    let one_f = g.const_f32("c.one_f", 1.0);
    let m = g.node("Sub", &[&one_f, &m], "mask.inverted", vec![]);
    let big = g.const_f32("c.minus_10000", -10000.0);
    let mask_add = g.node("Mul", &[&m, &big], "mask.additive", vec![]);

    let consts = Consts {
        heads_shape: g.const_i64("c.heads_shape", &[4], &[0, 0, HEADS, HEAD_DIM]),
        hidden_shape: g.const_i64("c.hidden_shape", &[3], &[0, 0, HIDDEN]),
        scale: g.const_f32("c.sqrt_head_dim", (HEAD_DIM as f32).sqrt()),
        sqrt2: g.const_f32("c.sqrt2", std::f32::consts::SQRT_2),
        half: g.const_f32("c.half", 0.5),
        one_f,
        mask_add,
    };
    let shared = SharedLayer::weights(&mut g);
    for l in 0..layers {
        h = shared.apply(&mut g, &consts, &h, &format!("layer{l}"));
    }
    let last = g.node("Identity", &[&h], "last_hidden_state", vec![]);

    // Pooler: first token, dense, tanh.
    let first = g.node(
        "Gather",
        &[&last, &zero],
        "pool.first",
        vec![int("axis", 1)],
    );
    let bound = (3.0 / HIDDEN as f32).sqrt();
    let pw = g.weight("albert.pooler.weight", &[HIDDEN, HIDDEN], bound);
    let pb = g.weight("albert.pooler.bias", &[HIDDEN], 0.02);
    let dense = g.node(
        "Gemm",
        &[&first, &pw, &pb],
        "pool.dense",
        vec![int("transB", 1)],
    );
    g.node("Tanh", &[&dense], "pooler_output", vec![]);

    g.output(
        "last_hidden_state",
        data_type::FLOAT,
        &[D::S("batch"), D::S("seq"), D::N(HIDDEN)],
    );
    g.output(
        "pooler_output",
        data_type::FLOAT,
        &[D::S("batch"), D::N(HIDDEN)],
    );
    g.finish(name, doc)
}

/// Embeddings: word + position + token type, LayerNorm; with the constant 0
/// the pooler reuses.
fn embeddings(g: &mut GraphBuilder, ids: &str, types: &str) -> (String, String) {
    let emb = 0.05;
    let word_t = g.weight(
        "albert.embeddings.word_embeddings.weight",
        &[VOCAB, EMBED],
        emb,
    );
    let pos_t = g.weight(
        "albert.embeddings.position_embeddings.weight",
        &[MAX_POS, EMBED],
        emb,
    );
    let type_t = g.weight(
        "albert.embeddings.token_type_embeddings.weight",
        &[TYPES, EMBED],
        emb,
    );
    let word = g.node("Gather", &[&word_t, ids], "emb.word", vec![]);
    let typ = g.node("Gather", &[&type_t, types], "emb.type", vec![]);
    // Positions 0..seq from the ids' shape, as the exporter traces `position_ids[:, :seq]`.
    let shape = g.node("Shape", &[ids], "emb.ids_shape", vec![]);
    let one = g.const_i64("c.one", &[], &[1]);
    let zero = g.const_i64("c.zero", &[], &[0]);
    let seq = g.node("Gather", &[&shape, &one], "emb.seq", vec![int("axis", 0)]);
    let range = g.node("Range", &[&zero, &seq, &one], "emb.positions", vec![]);
    let axes0 = g.const_i64("c.axes0", &[1], &[0]);
    let pos_ids = g.node("Unsqueeze", &[&range, &axes0], "emb.position_ids", vec![]);
    let pos = g.node("Gather", &[&pos_t, &pos_ids], "emb.position", vec![]);
    let sum = g.node("Add", &[&word, &typ], "emb.word_type", vec![]);
    let sum = g.node("Add", &[&sum, &pos], "emb.sum", vec![]);
    let h = layer_norm(g, "albert.embeddings.LayerNorm", &sum, EMBED, "emb.ln");
    (h, zero)
}

/// Constants every layer reads.
struct Consts {
    heads_shape: String,
    hidden_shape: String,
    scale: String,
    sqrt2: String,
    half: String,
    one_f: String,
    mask_add: String,
}

/// The one set of layer weights ALBERT shares across its layers.
struct SharedLayer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    attn_ln: (String, String),
    ffn: Linear,
    ffn_out: Linear,
    ffn_ln: (String, String),
}

/// Weight `[in, out]` (MatMul layout) and bias of a dense layer.
struct Linear {
    w: String,
    b: String,
}

impl SharedLayer {
    fn weights(g: &mut GraphBuilder) -> Self {
        let p = "albert.encoder.albert_layer_groups.0.albert_layers.0";
        let mut lin = |name: &str, cin: i64, cout: i64| Linear {
            w: g.weight(
                &format!("{p}.{name}.weight"),
                &[cin, cout],
                (3.0 / cin as f32).sqrt(),
            ),
            b: g.weight(&format!("{p}.{name}.bias"), &[cout], 0.02),
        };
        let q = lin("attention.query", HIDDEN, HIDDEN);
        let k = lin("attention.key", HIDDEN, HIDDEN);
        let v = lin("attention.value", HIDDEN, HIDDEN);
        let out = lin("attention.dense", HIDDEN, HIDDEN);
        let ffn = lin("ffn", HIDDEN, FFN);
        let ffn_out = lin("ffn_output", FFN, HIDDEN);
        let mut ln = |name: &str| {
            (
                g.filled(&format!("{p}.{name}.weight"), &[HIDDEN], 1.0),
                g.filled(&format!("{p}.{name}.bias"), &[HIDDEN], 0.0),
            )
        };
        let attn_ln = ln("attention.LayerNorm");
        let ffn_ln = ln("full_layer_layer_norm");
        SharedLayer {
            q,
            k,
            v,
            out,
            attn_ln,
            ffn,
            ffn_out,
            ffn_ln,
        }
    }

    /// One transformer layer on `h` [batch, seq, 768]; value names start with `p`.
    fn apply(&self, g: &mut GraphBuilder, c: &Consts, h: &str, p: &str) -> String {
        let dense = |g: &mut GraphBuilder, l: &Linear, x: &str, name: &str| {
            let mm = g.node("MatMul", &[x, &l.w], &format!("{p}.{name}.matmul"), vec![]);
            g.node("Add", &[&mm, &l.b], &format!("{p}.{name}.out"), vec![])
        };
        let heads = |g: &mut GraphBuilder, x: &str, name: &str, perm: &[i64]| {
            let r = g.node(
                "Reshape",
                &[x, &c.heads_shape],
                &format!("{p}.{name}.heads"),
                vec![],
            );
            g.node(
                "Transpose",
                &[&r],
                &format!("{p}.{name}.t"),
                vec![ints("perm", perm)],
            )
        };
        let q = dense(g, &self.q, h, "q");
        let q = heads(g, &q, "q", &[0, 2, 1, 3]);
        let k = dense(g, &self.k, h, "k");
        let k = heads(g, &k, "k", &[0, 2, 3, 1]);
        let v = dense(g, &self.v, h, "v");
        let v = heads(g, &v, "v", &[0, 2, 1, 3]);

        let s = g.node("MatMul", &[&q, &k], &format!("{p}.scores"), vec![]);
        let s = g.node(
            "Div",
            &[&s, &c.scale],
            &format!("{p}.scores_scaled"),
            vec![],
        );
        let s = g.node(
            "Add",
            &[&s, &c.mask_add],
            &format!("{p}.scores_masked"),
            vec![],
        );
        let probs = g.node(
            "Softmax",
            &[&s],
            &format!("{p}.probs"),
            vec![int("axis", -1)],
        );
        let ctx = g.node("MatMul", &[&probs, &v], &format!("{p}.ctx"), vec![]);
        let ctx = g.node(
            "Transpose",
            &[&ctx],
            &format!("{p}.ctx_t"),
            vec![ints("perm", &[0, 2, 1, 3])],
        );
        let ctx = g.node(
            "Reshape",
            &[&ctx, &c.hidden_shape],
            &format!("{p}.ctx_merged"),
            vec![],
        );
        let a = dense(g, &self.out, &ctx, "attn_dense");
        let a = g.node("Add", &[&a, h], &format!("{p}.attn_residual"), vec![]);
        let a = ln_node(g, &a, &self.attn_ln, &format!("{p}.attn_ln"));

        let f = dense(g, &self.ffn, &a, "ffn");
        // GELU, erf form: 0.5 * x * (1 + erf(x / sqrt 2)).
        let e = g.node("Div", &[&f, &c.sqrt2], &format!("{p}.gelu.div"), vec![]);
        let e = g.node("Erf", &[&e], &format!("{p}.gelu.erf"), vec![]);
        let e = g.node("Add", &[&e, &c.one_f], &format!("{p}.gelu.add"), vec![]);
        let e = g.node("Mul", &[&f, &e], &format!("{p}.gelu.mul"), vec![]);
        let e = g.node("Mul", &[&e, &c.half], &format!("{p}.gelu.out"), vec![]);
        let f = dense(g, &self.ffn_out, &e, "ffn_out");
        let f = g.node("Add", &[&f, &a], &format!("{p}.ffn_residual"), vec![]);
        ln_node(g, &f, &self.ffn_ln, &format!("{p}.ffn_ln"))
    }
}

/// LayerNormalization over the last axis.
fn ln_node(g: &mut GraphBuilder, x: &str, (scale, bias): &(String, String), out: &str) -> String {
    g.node(
        "LayerNormalization",
        &[x, scale, bias],
        out,
        vec![int("axis", -1), float("epsilon", LN_EPS)],
    )
}

/// A LayerNorm with fresh weights.
fn layer_norm(g: &mut GraphBuilder, name: &str, x: &str, width: i64, out: &str) -> String {
    let w = (
        g.filled(&format!("{name}.weight"), &[width], 1.0),
        g.filled(&format!("{name}.bias"), &[width], 0.0),
    );
    ln_node(g, x, &w, out)
}

/// A dense layer with fresh weights, as MatMul + Add.
fn linear(g: &mut GraphBuilder, name: &str, x: &str, cin: i64, cout: i64, out: &str) -> String {
    let w = g.weight(
        &format!("{name}.weight"),
        &[cin, cout],
        (3.0 / cin as f32).sqrt(),
    );
    let b = g.weight(&format!("{name}.bias"), &[cout], 0.02);
    let mm = g.node("MatMul", &[x, &w], &format!("{out}.matmul"), vec![]);
    g.node("Add", &[&mm, &b], out, vec![])
}
