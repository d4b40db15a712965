//! A replica that encrypts its relay logs (MariaDB `encrypt_binlog=ON` with the
//! `file_key_management` plugin that ships with the server), against a real MariaDB primary +
//! replica: the relay-log files hold ciphertext after their START_ENCRYPTION event, which
//! relay-prefetch cannot decrypt. The daemon refuses at start-up naming the variable, and the
//! reader skips each such file with that reason instead of reporting the ciphertext as corrupt
//! events and scanning it for a transaction start.

mod daemon_support;

use daemon_support as s;
use relay_prefetch::error::ErrorKind;
use relay_prefetch::plan::Mode;
use relay_prefetch::relay::{ReadOutcome, Reader, RelaySource};
use relay_prefetch::sandbox::SandboxOptions;

#[test]
fn encrypted_relay_logs_are_refused_at_start_and_skipped_with_their_reason() {
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("keys.txt");
    // Key id 1 (the one encrypt_binlog uses), 256 bits in hex: the plugin's file format.
    std::fs::write(
        &key_file,
        "1;a7addd9adea9978fda19f21e6be987880e68ea7d2ba5a9a3f3b6a8a0e4f1e2a1\n",
    )
    .unwrap();
    let Some(sb) = s::sandbox(SandboxOptions {
        replica_extra_cnf: vec![
            "plugin_load_add=file_key_management".into(),
            format!("file_key_management_filename={}", key_file.display()),
            "encrypt_binlog=ON".into(),
        ],
        ..SandboxOptions::default()
    }) else {
        return;
    };
    s::load(&sb, 200);
    s::backlog(&sb, 200, 50);

    // Start-up: refused, naming the variable and why.
    let err = relay_prefetch::daemon::run(
        s::config(&sb, Mode::Select),
        relay_prefetch::daemon::Shutdown::new(),
    )
    .expect_err("encrypted relay logs must be refused");
    let msg = err.to_string();
    assert!(
        msg.contains("encrypts its relay logs (encrypt_binlog=ON"),
        "{msg}"
    );
    assert!(msg.contains("cannot decrypt them"), "{msg}");

    // The files themselves (as `inspect`, or a daemon that met them later, reads them): one
    // "unsupported: encrypted" per file, nothing framed from the ciphertext, no corrupt events.
    let index = sb.replica.relay_log_index();
    let files = RelaySource::Index(index.clone()).files().unwrap();
    assert!(!files.is_empty());
    let mut r = Reader::open(RelaySource::Index(index), None, false).unwrap();
    let mut errors = Vec::new();
    loop {
        match r.next() {
            ReadOutcome::Event(e) => panic!("framed an event of an encrypted file: {:?}", e.pos),
            ReadOutcome::Error(e) => errors.push(e),
            ReadOutcome::End => break,
            ReadOutcome::Pending => panic!("pending while not following"),
        }
    }
    assert_eq!(errors.len(), files.len(), "{errors:?}");
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("encrypt_binlog=ON"), "{e}");
    }

    // Nothing was written: the replica applies its backlog and matches the primary.
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(std::time::Duration::from_secs(60))
        .unwrap();
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
