//! Kiln's server tests, through its real HTTP server, its command line and
//! its store: one test binary, so the server and its dependencies are
//! linked once for all of them rather than once per file. Each module is
//! one subject.

mod access;
mod cli;
mod crash;
mod hostile_text;
mod http;
mod orders;
mod requests;
mod staff;
mod support;
