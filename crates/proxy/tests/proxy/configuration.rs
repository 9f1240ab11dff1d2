//! The settings as the binary reads them: a bad one stops the process before it serves, with
//! one message naming the setting and an exit code to tell it by.

use test_support::process::clean_command;

fn proxy(env: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "x").unwrap();
    clean_command(env!("CARGO_BIN_EXE_proxy"))
        .current_dir(dir.path())
        .env("PROXY_STATIC_DIR", dir.path())
        .env("PROXY_LISTEN", "127.0.0.1:1")
        .envs(env.iter().copied())
        .arg("--threads")
        .arg("1")
        .output()
        .unwrap()
}

#[test]
fn invalid_settings_stop_the_process_naming_the_setting() {
    let cases = [
        ("PROXY_UPSTREAMS", "api"),
        ("PROXY_UPSTREAMS", "api:notaport"),
        ("PROXY_LISTEN", "everywhere"),
        ("PROXY_API_PREFIXES", "api"),
        ("PROXY_STATIC_DIR", "/definitely/not/here"),
        ("PROXY_CONNECT_TIMEOUT_SECS", "0"),
    ];
    for (setting, value) in cases {
        let output = proxy(&[(setting, value)]);
        assert_eq!(output.status.code(), Some(2), "{setting}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(setting), "{setting}={value}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one clear message: {stderr}");
    }
}

#[test]
fn a_port_in_use_is_a_start_up_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = proxy(&[("PROXY_LISTEN", &address)]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("PROXY_LISTEN") && stderr.contains(&address),
        "{stderr}"
    );
}

/// The line the proxy prints about why it stopped (pingora may have logged its start first).
fn stop_line(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut lines = stderr.lines().filter(|line| line.starts_with("proxy: "));
    let line = lines
        .next()
        .unwrap_or_else(|| panic!("no message: {stderr}"));
    assert_eq!(lines.next(), None, "one message: {stderr}");
    line.to_owned()
}

/// The whole message and the exit code, word for word, for a bad setting of each kind the
/// start-up meets: a setting's value (a rate limit's burst), a setting that collides with
/// another (the metrics listener's port), and certificate files read once the server is being
/// built.
#[test]
fn a_bad_setting_is_reported_in_the_words_it_always_was() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("certificate.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let not_pem = not_pem.to_str().unwrap();
    let cases = [
        (
            vec![("PROXY_RATE_API_BURST", "0")],
            "proxy: invalid configuration: PROXY_RATE_API_BURST: must be at least 1 while \
             PROXY_RATE_API_PER_SEC is on"
                .to_owned(),
        ),
        (
            vec![("PROXY_METRICS_LISTEN", "127.0.0.1:1")],
            "proxy: invalid configuration: PROXY_METRICS_LISTEN: 127.0.0.1:1 is on the port of \
             PROXY_LISTEN (127.0.0.1:1)"
                .to_owned(),
        ),
        (
            vec![
                ("PROXY_LISTEN", "127.0.0.1:0"),
                ("PROXY_TLS_LISTEN", "127.0.0.1:0"),
                ("PROXY_TLS_CERT", not_pem),
                ("PROXY_TLS_KEY", not_pem),
            ],
            format!(
                "proxy: invalid configuration: PROXY_TLS_CERT: {not_pem}: certificate: no \
                 certificate in the file"
            ),
        ),
    ];
    for (env, message) in cases {
        let output = proxy(&env);
        assert_eq!(output.status.code(), Some(2), "{env:?}");
        assert_eq!(stop_line(&output), message, "{env:?}");
    }
}

#[test]
fn a_state_folder_that_cannot_be_made_stops_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let state_dir = file.join("acme");
    let state_dir = state_dir.to_str().unwrap();
    let output = proxy(&[
        ("PROXY_LISTEN", "127.0.0.1:0"),
        ("PROXY_TLS_LISTEN", "127.0.0.1:0"),
        ("PROXY_ACME_DOMAINS", "site.example.test"),
        ("PROXY_ACME_STATE_DIR", state_dir),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let line = stop_line(&output);
    let expected = format!("proxy: invalid configuration: PROXY_ACME_STATE_DIR {state_dir}: ");
    assert!(line.starts_with(&expected), "{line}");
}

#[test]
fn healthcheck_without_an_address_is_unhealthy() {
    let output = clean_command(env!("CARGO_BIN_EXE_proxy"))
        .env("PROXY_LISTEN", "everywhere")
        .arg("healthcheck")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "proxy: unhealthy: PROXY_LISTEN \"everywhere\" is not an ip:port address"
    );
}
