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
