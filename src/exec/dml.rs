//! The locking modes' transaction bracket: BEGIN, the original DML statements, and always
//! ROLLBACK — never COMMIT. Written against the small [`SqlRunner`] seam so the bracket is unit
//! tested without a server. Each statement first passes [`check_dml`]: exactly one
//! INSERT/UPDATE/DELETE/REPLACE, nothing that commits implicitly or ends the transaction.

use super::Outcome;

/// A failed statement, already classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// How it failed.
    pub outcome: Outcome,
    /// Server message, for logs.
    pub message: String,
}

/// Runs one statement and discards any result.
pub trait SqlRunner {
    /// Execute `sql`.
    fn exec(&mut self, sql: &str) -> Result<(), Failure>;
}

/// The only way a locking-mode transaction ends.
pub const END: &str = "ROLLBACK";

/// Run `stmts` inside BEGIN … ROLLBACK. The ROLLBACK is sent whatever happened, unless the
/// connection is gone (the server then rolls back on its own). Returns the first failure's
/// outcome, or `Ok`.
pub fn run_rolled_back(conn: &mut dyn SqlRunner, stmts: &[String]) -> Outcome {
    for s in stmts {
        if let Err(why) = check_dml(s) {
            tracing::warn!(sql = %s, why, "refused a locking-mode statement");
            return Outcome::Error;
        }
    }
    // A failed BEGIN leaves no transaction to run the DML in: stop (with autocommit=0 from the
    // session set-up nothing would commit anyway, but do not rely on one guard alone).
    if let Err(f) = conn.exec("BEGIN") {
        return f.outcome;
    }
    let mut outcome = Outcome::Ok;
    for s in stmts {
        if let Err(f) = conn.exec(s) {
            outcome = f.outcome;
            break;
        }
    }
    if outcome != Outcome::ServerGone
        && let Err(f) = conn.exec(END)
    {
        return f.outcome;
    }
    outcome
}

/// Accept exactly one INSERT / UPDATE / DELETE / REPLACE statement (leading comments and
/// whitespace allowed); refuse COMMIT and anything else, executable comments (`/*!`), and a
/// second statement after `;` (the client library sends multi-statements as given).
pub fn check_dml(sql: &str) -> Result<(), &'static str> {
    let s = skip_space_and_comments(sql)?;
    let word: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    if word == "COMMIT" {
        return Err("COMMIT is never run in the locking modes");
    }
    if !matches!(word.as_str(), "INSERT" | "UPDATE" | "DELETE" | "REPLACE") {
        return Err("not a single INSERT/UPDATE/DELETE/REPLACE");
    }
    if has_second_statement(s) {
        return Err("more than one statement");
    }
    Ok(())
}

fn skip_space_and_comments(mut s: &str) -> Result<&str, &'static str> {
    loop {
        s = s.trim_start();
        if s.starts_with("/*!") || s.starts_with("/*M!") {
            return Err("executable comment");
        }
        if let Some(rest) = s.strip_prefix("/*") {
            s = rest
                .split_once("*/")
                .map(|x| x.1)
                .ok_or("unterminated comment")?;
        } else if s.starts_with("-- ") || s.starts_with('#') {
            s = s.split_once('\n').map(|x| x.1).unwrap_or("");
        } else {
            return Ok(s);
        }
    }
}

/// True when a `;` outside quotes and comments is followed by anything but space.
fn has_second_statement(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                if b.get(i + 2) == Some(&b'!') {
                    return true; // executable comment in the middle: refuse
                }
                i = s[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 1);
            }
            b'#' => i = s[i..].find('\n').map_or(b.len(), |p| i + p),
            b'-' if b.get(i + 1) == Some(&b'-')
                && b.get(i + 2).is_some_and(|c| c.is_ascii_whitespace()) =>
            {
                i = s[i..].find('\n').map_or(b.len(), |p| i + p)
            }
            b';' => return !s[i + 1..].trim().is_empty(),
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records statements; fails the statements listed in `fail`.
    #[derive(Default)]
    struct Recorder {
        sent: Vec<String>,
        fail: Vec<(String, Outcome)>,
    }

    impl SqlRunner for Recorder {
        fn exec(&mut self, sql: &str) -> Result<(), Failure> {
            self.sent.push(sql.to_string());
            match self.fail.iter().find(|(s, _)| s == sql) {
                Some((_, o)) => Err(Failure {
                    outcome: *o,
                    message: "injected".into(),
                }),
                None => Ok(()),
            }
        }
    }

    fn no_commit(sent: &[String]) -> bool {
        !sent
            .iter()
            .any(|s| s.to_ascii_uppercase().contains("COMMIT"))
    }

    #[test]
    fn always_rolls_back_never_commits() {
        let stmts = vec![
            "UPDATE t SET a = 1 WHERE id = 2".to_string(),
            "DELETE FROM t WHERE id = 3".to_string(),
        ];
        let mut r = Recorder::default();
        assert_eq!(run_rolled_back(&mut r, &stmts), Outcome::Ok);
        assert_eq!(r.sent.first().unwrap(), "BEGIN");
        assert_eq!(r.sent.last().unwrap(), END);
        assert!(no_commit(&r.sent));

        // A lock-wait failure in the middle still ends in ROLLBACK, and stops the batch.
        let mut r = Recorder {
            fail: vec![(stmts[0].clone(), Outcome::LockWait)],
            ..Default::default()
        };
        assert_eq!(run_rolled_back(&mut r, &stmts), Outcome::LockWait);
        assert_eq!(r.sent, vec!["BEGIN", &stmts[0], END]);

        // A failed BEGIN runs no DML at all.
        let mut r = Recorder {
            fail: vec![("BEGIN".into(), Outcome::ServerGone)],
            ..Default::default()
        };
        assert_eq!(run_rolled_back(&mut r, &stmts), Outcome::ServerGone);
        assert_eq!(r.sent, vec!["BEGIN"]);
    }

    #[test]
    fn guard_refuses_commit_and_smuggling() {
        let mut r = Recorder::default();
        for bad in [
            "COMMIT",
            "  /* x */ commit work",
            "UPDATE t SET a=1; COMMIT",
            "update t set a=1 /*!; commit */",
            "/*!40101 COMMIT */",
            "CREATE TABLE x (a int)",
            "SET autocommit=1",
            "BEGIN",
        ] {
            assert!(check_dml(bad).is_err(), "{bad}");
            assert_eq!(run_rolled_back(&mut r, &[bad.to_string()]), Outcome::Error);
        }
        assert!(
            r.sent.is_empty(),
            "nothing may be sent when a statement is refused"
        );
        for good in [
            "UPDATE t SET a = ';COMMIT' WHERE id = 1",
            "-- note\nDELETE FROM `a;b` WHERE id = 1;",
            "INSERT INTO t VALUES (1, 'it''s; fine')",
            "REPLACE INTO t VALUES (1)",
        ] {
            assert_eq!(check_dml(good), Ok(()), "{good}");
        }
    }
}
