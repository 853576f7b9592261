//! Tauri's context for the hello-world reference.

fn main() {
    tauri_build::build();
}
