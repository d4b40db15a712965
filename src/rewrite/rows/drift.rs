//! Does a relay-log table map still describe the schema's table? Rows events carry values by
//! ordinal, so a stale schema (DDL the loader has not seen yet, or a schema from another server)
//! would bind values to the wrong columns. Column count and each column's type family are
//! compared; a mismatch makes the table's events skip as `SchemaDrift` until it is reloaded.
//! Types the check does not know (MariaDB INET6/UUID, future types) are accepted.

use crate::event::TableMap;
use crate::schema::Table;

/// Why the table map and the schema disagree, or None when they agree.
pub(crate) fn drift(map: &TableMap, table: &Table) -> Option<String> {
    if map.columns.len() != table.columns.len() {
        return Some(format!(
            "the relay log's table map has {} columns, the schema {}",
            map.columns.len(),
            table.columns.len()
        ));
    }
    map.columns
        .iter()
        .zip(&table.columns)
        .find(|(m, c)| !type_fits(m.type_code, &c.data_type))
        .map(|(m, c)| {
            format!(
                "column {} is {} in the schema but type code {} in the relay log",
                c.name, c.data_type, m.type_code
            )
        })
}

/// Whether binlog type code `code` can carry a column of `data_type` (information_schema
/// DATA_TYPE, lower case). Old and new temporal encodings both count.
fn type_fits(code: u8, data_type: &str) -> bool {
    let codes: &[u8] = match data_type {
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "bool"
        | "boolean" => &[1, 2, 3, 8, 9],
        "year" => &[13],
        "decimal" | "numeric" => &[0, 246],
        "float" => &[4],
        "double" | "real" => &[5],
        "bit" => &[16],
        "date" => &[10, 14],
        "datetime" => &[12, 18],
        "timestamp" => &[7, 17],
        "time" => &[11, 19],
        // 140/141: MariaDB's VARCHAR/BLOB ... COMPRESSED columns.
        "char" | "varchar" | "binary" | "varbinary" | "enum" | "set" => {
            &[15, 140, 253, 254, 247, 248]
        }
        "tinytext" | "text" | "mediumtext" | "longtext" | "tinyblob" | "blob" | "mediumblob"
        | "longblob" => &[141, 249, 250, 251, 252],
        "json" => &[141, 245, 249, 250, 251, 252],
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" => &[255],
        _ => return true,
    };
    codes.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert!(type_fits(3, "int"));
        assert!(type_fits(8, "bigint"));
        assert!(!type_fits(15, "int"));
        assert!(type_fits(18, "datetime"));
        assert!(type_fits(254, "enum") && type_fits(247, "enum"));
        assert!(type_fits(252, "json"));
        assert!(type_fits(254, "inet6"), "unknown types are accepted");
        assert!(!type_fits(3, "varchar"));
    }
}
