#ifndef HANDOFF_CSQLITE_SHIM_H
#define HANDOFF_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a function-pointer cast macro that Swift cannot import.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// sqlite3_db_config is variadic, so Swift cannot call it: turn double-quoted
/// string literals off for DML and DDL on one connection. Returns SQLITE_OK or an error code.
static inline int csqlite_disable_double_quoted_strings(sqlite3 *db) {
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
}

/// sqlite3_config is variadic: stop SQLite keeping process-wide memory statistics, which take a global mutex on
/// every allocation. Only takes effect before SQLite initializes (the first connection opened in the process);
/// returns SQLITE_MISUSE after that, which changes nothing.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
