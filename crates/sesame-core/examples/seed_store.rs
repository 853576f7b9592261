//! Creates a store filled with keys in bulk, for the app benchmark:
//! `cargo run --release -p sesame-core --example seed_store -- PATH COUNT`.
//! The administrator is « Bench Admin » with the password « mot de passe du banc ».
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../benches/support/seed.rs"]
mod seed;

fn main() {
    let mut arguments = std::env::args().skip(1);
    let path = std::path::PathBuf::from(arguments.next().expect("usage: seed_store PATH COUNT"));
    let count: usize = arguments
        .next()
        .and_then(|c| c.parse().ok())
        .expect("usage: seed_store PATH COUNT");
    drop(seed::store(&path));
    seed::seed(&path, count);
    println!("{count} keys in {}", path.display());
}
