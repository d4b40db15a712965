//! Conversions between the project's [`Value`] and `mysql::Value` (parameters of prepared probes,
//! result rows handed to phase-2 follow-ups). Kept here so no mysql type leaves `exec`.

use crate::event::Value;

/// Our value → a statement parameter.
pub fn to_mysql(v: &Value) -> mysql::Value {
    match v {
        Value::Null => mysql::Value::NULL,
        Value::Int(i) => mysql::Value::Int(*i),
        Value::UInt(u) => mysql::Value::UInt(*u),
        Value::Float(f) => mysql::Value::Float(*f),
        Value::Double(d) => mysql::Value::Double(*d),
        Value::Decimal(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => mysql::Value::Bytes(b.clone()),
        Value::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        } => mysql::Value::Date(*year, *month, *day, *hour, *minute, *second, *micros),
        Value::Time {
            negative,
            hours,
            minutes,
            seconds,
            micros,
        } => mysql::Value::Time(
            *negative,
            hours / 24,
            (hours % 24) as u8,
            *minutes,
            *seconds,
            *micros,
        ),
    }
}

/// A result cell → our value (text-protocol cells arrive as bytes and stay bytes).
pub fn from_mysql(v: mysql::Value) -> Value {
    match v {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Bytes(b) => Value::Bytes(b),
        mysql::Value::Int(i) => Value::Int(i),
        mysql::Value::UInt(u) => Value::UInt(u),
        mysql::Value::Float(f) => Value::Float(f),
        mysql::Value::Double(d) => Value::Double(d),
        mysql::Value::Date(year, month, day, hour, minute, second, micros) => Value::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        },
        mysql::Value::Time(negative, days, h, minutes, seconds, micros) => Value::Time {
            negative,
            hours: days * 24 + u32::from(h),
            minutes,
            seconds,
            micros,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let vals = [
            Value::Null,
            Value::Int(-5),
            Value::UInt(u64::MAX),
            Value::Double(1.5),
            Value::Bytes(b"abc".to_vec()),
            Value::Time {
                negative: true,
                hours: 49,
                minutes: 2,
                seconds: 3,
                micros: 4,
            },
        ];
        for v in vals {
            assert_eq!(from_mysql(to_mysql(&v)), v);
        }
        assert_eq!(
            to_mysql(&Value::Decimal("1.50".into())),
            mysql::Value::Bytes(b"1.50".to_vec())
        );
    }
}
