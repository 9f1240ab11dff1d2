//! The two images run for real, with podman: the compose staging stack (compose.yaml as it is),
//! the Fargate task as one pod read from deploy/ecs/task-definition.json, and the one-VM
//! override with TLS. They need root, podman and the images `scripts/containers` builds, so
//! plain `cargo test` lists them as ignored; scripts/test builds the images and runs them with
//! `--ignored` when it runs as root (as CI does).
//!
//! The tests send HTTP only to 127.0.0.1 ports podman publishes; everything else happens inside
//! the project's own containers (`podman exec`). Each test names its containers, networks and
//! volumes after itself and removes them on the way out, pass or fail; a failing test prints
//! every one of its containers' logs first.

mod compose;
mod fargate;
mod one_vm;
mod podman;
mod staging;
mod web;
