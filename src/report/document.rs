//! The report as one document: [`Section`]s of [`Block`]s, built once from
//! the advice (`sections`) and walked by each format's renderer, so the
//! Markdown and the HTML report say the same things in the same order.
//!
//! Text is kept unescaped and tagged by kind ([`Inline`]); each renderer
//! escapes and marks it up its own way.

use super::svg::Plot;
use super::tables::Table;

/// The whole report.
#[derive(Debug, Clone)]
pub struct Document {
    /// The title, e.g. "Where to serve mobilenetv2".
    pub title: String,
    /// The paragraph under the title.
    pub lead: Vec<Inline>,
    /// The sections, in reading order.
    pub sections: Vec<Section>,
}

/// One section under its heading.
#[derive(Debug, Clone)]
pub struct Section {
    /// The heading.
    pub title: Vec<Inline>,
    /// Whether everything in it is modelled or measured.
    pub tag: Option<Tag>,
    /// A section that only illustrates the others with charts: formats
    /// without charts leave it out.
    pub visual: bool,
    /// Its content.
    pub blocks: Vec<Block>,
}

impl Section {
    /// A section titled with plain text.
    pub fn new(title: &str, tag: Option<Tag>) -> Section {
        Section {
            title: vec![Inline::text(title)],
            tag,
            visual: false,
            blocks: Vec::new(),
        }
    }

    /// Adds a block.
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }
}

/// How a figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Predicted by the simulator.
    Modelled,
    /// Timed on the profiling machine.
    Measured,
}

impl Tag {
    /// The word.
    pub fn word(self) -> &'static str {
        match self {
            Tag::Modelled => "modelled",
            Tag::Measured => "measured",
        }
    }
}

/// One block of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// The decision, highlighted; `found` is false when nothing qualified.
    Verdict {
        /// Whether an option was recommended.
        found: bool,
        /// The words.
        text: Vec<Inline>,
    },
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A heading below the section's.
    Heading(String),
    /// A bulleted list.
    List(Vec<Item>),
    /// A table.
    Table(Table),
    /// A chart (left out where charts cannot be drawn).
    Chart(Box<Plot>),
    /// Parts of a whole as one bar, e.g. the cold start by phase (left out
    /// where charts cannot be drawn).
    Bar(Vec<BarPart>),
}

/// One list item, with sub-items.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// The item.
    pub text: Vec<Inline>,
    /// Its sub-items.
    pub children: Vec<Vec<Inline>>,
}

impl From<Vec<Inline>> for Item {
    fn from(text: Vec<Inline>) -> Self {
        Item {
            text,
            children: Vec::new(),
        }
    }
}

/// One part of a [`Block::Bar`].
#[derive(Debug, Clone)]
pub struct BarPart {
    /// Its name.
    pub name: String,
    /// Its size, s.
    pub s: f64,
}

/// A run of text of one kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Ordinary text.
    Text(String),
    /// An identifier (an option, an offer, a file).
    Code(String),
    /// Emphasised text.
    Strong(String),
    /// How the figures were obtained, marked.
    Tag(Tag),
}

impl Inline {
    /// Ordinary text.
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text(s.into())
    }

    /// An identifier.
    pub fn code(s: impl Into<String>) -> Inline {
        Inline::Code(s.into())
    }

    /// Emphasised text.
    pub fn strong(s: impl Into<String>) -> Inline {
        Inline::Strong(s.into())
    }
}
