//! What is drawn over the screens, and the actions that open, fill and
//! answer it.

use super::super::action::{Action, Overwrite};
use super::super::form::{Form, Targets};
use super::{Effect, State};

/// Something drawn over the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// Nothing.
    None,
    /// The key help.
    Help,
    /// The constraint form.
    Form(Form),
    /// "Overwrite these files?"
    Confirm(Overwrite),
}

impl State {
    /// The help, the targets form and the export prompts.
    pub(super) fn overlay_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::ToggleHelp => {
                self.overlay = match self.overlay {
                    Overlay::Help => Overlay::None,
                    _ => Overlay::Help,
                };
                Vec::new()
            }
            Action::EditConstraints => {
                self.overlay = Overlay::Form(Form::new(&Targets::of(&self.constraints)));
                Vec::new()
            }
            Action::FormChar(c) => {
                if let Overlay::Form(f) = &mut self.overlay {
                    f.type_char(c);
                }
                Vec::new()
            }
            Action::FormBackspace => {
                if let Overlay::Form(f) = &mut self.overlay {
                    f.backspace();
                }
                Vec::new()
            }
            Action::FormField(step) => {
                if let Overlay::Form(f) = &mut self.overlay {
                    f.move_focus(step);
                }
                Vec::new()
            }
            Action::FormSubmit => self.submit_form(),
            Action::Export => {
                self.overlay = Overlay::None;
                vec![Effect::Export {
                    paths: None,
                    overwrite: false,
                }]
            }
            Action::AskOverwrite(files) => {
                self.overlay = Overlay::Confirm(files);
                Vec::new()
            }
            Action::Confirm(yes) => {
                let Overlay::Confirm(files) = std::mem::replace(&mut self.overlay, Overlay::None)
                else {
                    return Vec::new();
                };
                if yes {
                    vec![Effect::Export {
                        paths: Some(files.paths),
                        overwrite: true,
                    }]
                } else {
                    self.say("export cancelled; nothing was written", false);
                    Vec::new()
                }
            }
            Action::Exported(result) => {
                match result {
                    Ok(paths) => {
                        let names: Vec<String> =
                            paths.iter().map(|p| p.display().to_string()).collect();
                        self.say(&format!("report written: {}", names.join(" and ")), false);
                    }
                    Err(e) => self.say(&format!("export failed: {e}"), true),
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn submit_form(&mut self) -> Vec<Effect> {
        let Overlay::Form(form) = &mut self.overlay else {
            return Vec::new();
        };
        match form.parse() {
            Ok(t) => {
                self.overlay = Overlay::None;
                let next = t.apply(&self.constraints);
                if next == self.constraints {
                    return Vec::new();
                }
                self.constraints = next;
                self.say("targets changed: advising again", false);
                self.advise()
            }
            Err(e) => {
                form.error = Some(e);
                Vec::new()
            }
        }
    }
}
